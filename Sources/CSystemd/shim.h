#ifndef NEUROLINK_CSYSTEMD_SHIM_H
#define NEUROLINK_CSYSTEMD_SHIM_H

// libsystemd (Debian libsystemd-dev). The functions NeuroLink uses take no C varargs, so Swift
// calls them directly: sd_notify, sd_watchdog_enabled, sd_listen_fds, sd_is_socket_unix and
// sd_journal_sendv. Only NeuroLinkSystemd imports this module, and only neurolinkd links it.
// The location macros would stamp this header as CODE_FILE; the log handler sends the Swift
// caller's location itself.
#define SD_JOURNAL_SUPPRESS_LOCATION 1
#include <sys/uio.h>
#include <systemd/sd-daemon.h>
#include <systemd/sd-journal.h>

#endif
