#include <signal.h>
#include <string.h>

#include "early_stop.h"

static volatile sig_atomic_t early_stop_signal = 0;

static void remember_stop(int signal_number) {
    early_stop_signal = signal_number;
}

// A reload requested before the daemon has loaded its configuration has nothing to reload.
static void ignore_reload(int signal_number) {
    (void)signal_number;
}

// Runs when neurolinkd's image is initialised, before main: a SIGTERM or SIGINT that arrives
// while the daemon starts is remembered rather than fatal, and a SIGHUP is ignored rather than
// fatal. The daemon later installs its own handlers (which replace these), and the server checks
// the flag before it binds its socket.
__attribute__((constructor)) static void install_early_stop_handlers(void) {
    struct sigaction action;
    memset(&action, 0, sizeof(action));
    action.sa_handler = remember_stop;
    sigemptyset(&action.sa_mask);
    sigaction(SIGTERM, &action, NULL);
    sigaction(SIGINT, &action, NULL);
    action.sa_handler = ignore_reload;
    sigaction(SIGHUP, &action, NULL);
}

int nl_early_stop_signal(void) {
    return early_stop_signal;
}
