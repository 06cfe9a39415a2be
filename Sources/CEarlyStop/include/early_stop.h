#ifndef NEUROLINK_EARLY_STOP_H
#define NEUROLINK_EARLY_STOP_H

/// The stop signal (SIGTERM or SIGINT) that arrived before the daemon's own signal handling was
/// in place, or 0. Handlers are installed by a constructor, before `main` runs; until the daemon
/// traps SIGHUP itself, a SIGHUP is ignored.
int nl_early_stop_signal(void);

#endif
