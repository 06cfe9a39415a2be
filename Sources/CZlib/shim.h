#ifndef NEUROLINK_CZLIB_SHIM_H
#define NEUROLINK_CZLIB_SHIM_H

#include <zlib.h>

#endif
