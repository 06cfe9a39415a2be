#if canImport(Glibc)
import Glibc
#endif

/// Longest thread name the kernel keeps (`TASK_COMM_LEN` less its NUL).
public let threadNameLimit = 15

/// Names the calling thread as `ps -L`, `top -H`, `/proc/PID/task/*/comm` and profilers show it.
///
/// Foundation's `Thread.name` does not reach the kernel on Linux, and a new thread inherits its
/// creator's name: without this, a thread started from a Dispatch worker shows as that worker
/// (`oot.default-qos`). Names longer than ``threadNameLimit`` bytes are cut to fit.
public func nameCurrentThread(_ name: String) {
    var fitting = name
    while fitting.utf8.count > threadNameLimit { fitting.removeLast() }
    #if canImport(Glibc)
    // Through procfs: Glibc's module does not export `pthread_setname_np`, and `prctl` is variadic.
    let file = open("/proc/thread-self/comm", O_WRONLY | O_CLOEXEC)
    guard file >= 0 else { return }
    defer { close(file) }
    _ = fitting.withCString { write(file, $0, strlen($0)) }
    #endif
}
