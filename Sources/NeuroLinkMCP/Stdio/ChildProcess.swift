import Foundation
import Logging
import NeuroLinkBasics
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A stdio server's process: spawned in a process group of its own (so that helpers it starts,
/// as `npx` or `uvx` do, are signalled with it), reaped by a waiter thread (no zombies), its
/// stderr forwarded to the log.
final class ChildProcess: Sendable {
    /// The child's pid, which is also its process group id.
    let pid: pid_t
    /// The read end of the child's stdout.
    let standardOutput: Int32
    /// The write end of the child's stdin.
    let standardInput: Int32
    private let exit: ExitSignal
    /// Serializes pipe creation and spawning (see ``PosixPipe``).
    private static let spawnLock = Mutex(())

    private init(pid: pid_t, standardOutput: Int32, standardInput: Int32, exit: ExitSignal) {
        self.pid = pid
        self.standardOutput = standardOutput
        self.standardInput = standardInput
        self.exit = exit
    }

    /// Starts `executable`; `onExit` runs on the waiter thread with the raw status once the child
    /// has exited and been reaped.
    static func spawn(
        executable: String,
        arguments: [String],
        environment: [String: String],
        logger: Logger,
        onExit: @escaping @Sendable (Int32) -> Void
    ) throws(ProcessLaunchError) -> ChildProcess {
        let (pid, input, output, errors) = try spawnLock.withLock { _ throws(ProcessLaunchError) in
            try launch(executable: executable, arguments: arguments, environment: environment)
        }
        StderrForwarder.start(descriptor: errors, logger: logger)
        let exit = ExitSignal()
        startReaper(pid: pid, exit: exit, onExit: onExit)
        return ChildProcess(pid: pid, standardOutput: output, standardInput: input, exit: exit)
    }

    /// Creates the pipes and spawns; returns the pid and the parent's ends of stdin, stdout and
    /// stderr.
    private static func launch(
        executable: String,
        arguments: [String],
        environment: [String: String]
    ) throws(ProcessLaunchError) -> (pid_t, Int32, Int32, Int32) {
        let input = try PosixPipe.make()
        let output: PosixPipe
        let errors: PosixPipe
        do {
            output = try PosixPipe.make()
            errors = try PosixPipe.make()
        } catch {
            input.closeBoth()
            throw error
        }
        let pid: pid_t
        do {
            pid = try PosixSpawn.run(
                executable: executable,
                arguments: [executable] + arguments,
                environment: environment.map { "\($0.key)=\($0.value)" },
                standardStreams: (input.readEnd, output.writeEnd, errors.writeEnd)
            )
        } catch {
            for pipe in [input, output, errors] { pipe.closeBoth() }
            throw error
        }
        // The child's ends now live in the child only.
        close(input.readEnd)
        close(output.writeEnd)
        close(errors.writeEnd)
        return (pid, input.writeEnd, output.readEnd, errors.readEnd)
    }

    /// Whether the child has exited.
    var hasExited: Bool { exit.status != nil }

    /// Stops the child and everything in its process group: `SIGTERM`, then `SIGKILL` when the
    /// child is still running after `grace`; returns once it has been reaped. Closes the pipes.
    func terminate(grace: Duration) async {
        close(standardInput)
        _ = killpg(pid, SIGTERM)
        let exited = try? await TimeLimit.run(grace) { await self.exit.wait() }
        // Also after a graceful exit: helpers left in the group must not outlive their server.
        _ = killpg(pid, SIGKILL)
        if exited == nil { _ = await exit.wait() }
        close(standardOutput)
    }

    private static func startReaper(pid: pid_t, exit: ExitSignal, onExit: @escaping @Sendable (Int32) -> Void) {
        Thread.detachNewThread {
            nameCurrentThread("mcp-reaper")
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 {
                // ECHILD: someone else reaped it; report a plain exit rather than wait forever.
                guard errno == EINTR else {
                    status = 0
                    break
                }
            }
            exit.fire(status)
            onExit(status)
        }
    }
}
