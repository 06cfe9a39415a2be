#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `posix_spawn` with what `Foundation.Process` does not offer: a new process group and reset
/// signal handling (the daemon ignores `SIGPIPE`; ignored signals would survive `exec`).
enum PosixSpawn {
    /// Signals whose disposition the child gets back to default.
    private static let defaultedSignals = [SIGPIPE, SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGCHLD, SIGUSR1, SIGUSR2]

    /// Spawns `executable` with stdin, stdout and stderr on the given descriptors; returns its pid.
    static func run(
        executable: String,
        arguments: [String],
        environment: [String],
        standardStreams: (input: Int32, output: Int32, error: Int32)
    ) throws(ProcessLaunchError) -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, standardStreams.input, 0)
        posix_spawn_file_actions_adddup2(&actions, standardStreams.output, 1)
        posix_spawn_file_actions_adddup2(&actions, standardStreams.error, 2)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        configure(&attributes)

        let argv = CStringArray(arguments)
        let envp = CStringArray(environment)
        defer {
            argv.release()
            envp.release()
        }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, &attributes, argv.pointers, envp.pointers)
        guard result == 0 else {
            throw ProcessLaunchError(description: "cannot start \(executable): \(String(cString: strerror(result)))")
        }
        return pid
    }

    private static func configure(_ attributes: inout posix_spawnattr_t) {
        let flags = POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF
        posix_spawnattr_setflags(&attributes, Int16(flags))
        posix_spawnattr_setpgroup(&attributes, 0)
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigmask(&attributes, &mask)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in defaultedSignals { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
    }
}
