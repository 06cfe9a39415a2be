#ifndef NEUROLINK_COPENBLAS_SHIM_H
#define NEUROLINK_COPENBLAS_SHIM_H

/* Debian's libopenblas-dev: cblas.h is under /usr/include/x86_64-linux-gnu (on the default path via
   its openblas-pthread alternative). Declarations only: nothing links OpenBLAS; NeuroLinkEmbedding
   opens libopenblas.so.0 with dlopen when a model loads. */
#include <cblas.h>

#endif
