#ifndef NEUROLINK_CEDITLINE_SHIM_H
#define NEUROLINK_CEDITLINE_SHIM_H

// libedit (Debian libedit-dev) through its readline-compatible interface: line editing and
// history for `nlctl chat`.
#include <stdio.h>
#include <editline/readline.h>

// Sets libedit's globals from C, where Swift's strict concurrency checking does not see them
// as shared mutable state: nlctl keeps its own SIGINT handling (libedit must not install
// signal handlers), and reads keys through `getc` (which wakes on Ctrl-C).
static inline void nl_edit_configure(int (*getc)(FILE *)) {
    rl_catch_signals = 0;
    rl_getc_function = getc;
}

#endif
