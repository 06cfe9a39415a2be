import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs a program to completion and collects what it prints, without blocking a thread.
///
/// Completion is signalled by `terminationHandler` and by end-of-file on both pipes, all feeding
/// one continuation: `Process.waitUntilExit()` would spin a thread on Linux. A program that
/// outlives `timeout` or prints more than `maxOutputBytes` is killed.
final class ChildProcess: @unchecked Sendable {
    /// What became of a run that started.
    enum Outcome: Sendable {
        case exited(status: Int32, signalled: Bool, stdout: [UInt8], stderr: [UInt8])
        case timedOut
        case outputTooLarge
        /// The program could not be started (not found, not executable, …).
        case launchFailed(String)
    }

    private let process = Process()
    private let maxOutputBytes: Int
    // Everything below is guarded by `lock`; the handlers run on Foundation's own queues.
    private let lock = NSLock()
    private var stdout: [UInt8] = []
    private var stderr: [UInt8] = []
    private var openPipes = 2
    /// Set once `run()` succeeded: only a started process can be stopped.
    private var launched = false
    /// Set when `run()` failed with `ETXTBSY`: the program file was open for writing.
    private var programWasBusy = false
    /// The pipes' read ends, kept alive for the whole run: a handle closes its descriptor when freed.
    private var readers: [FileHandle] = []
    private var exit: (status: Int32, signalled: Bool)?
    private var outcome: Outcome?
    private var continuation: CheckedContinuation<Outcome, Never>?
    private var timer: Task<Void, Never>?

    private init(maxOutputBytes: Int) {
        self.maxOutputBytes = maxOutputBytes
    }

    /// Runs `arguments[0]` (an absolute path) with the rest as its arguments, stdin from
    /// `/dev/null`, inheriting the daemon's environment.
    ///
    /// A program that cannot start because it is open for writing (`ETXTBSY`) is tried again a few
    /// times within about 300 ms. That state is usually momentary: the file was just written, and a
    /// child that another thread forked meanwhile still holds the writer's descriptor until its own
    /// `exec`.
    static func run(_ arguments: [String], timeout: Duration, maxOutputBytes: Int = 64 * 1024) async -> Outcome {
        guard let program = arguments.first else { return .launchFailed("no program given") }
        var pause = Duration.milliseconds(10)
        while true {
            let child = ChildProcess(maxOutputBytes: maxOutputBytes)
            let outcome = await withCheckedContinuation { continuation in
                child.start(
                    program: program,
                    arguments: Array(arguments.dropFirst()),
                    timeout: timeout,
                    continuation: continuation
                )
            }
            guard child.lock.withLock({ child.programWasBusy }), pause <= .milliseconds(160) else { return outcome }
            do { try await Task.sleep(for: pause) } catch { return outcome }
            pause *= 2
        }
    }

    private func start(
        program: String,
        arguments: [String],
        timeout: Duration,
        continuation: CheckedContinuation<Outcome, Never>
    ) {
        lock.withLock { self.continuation = continuation }
        Self.spawnLock.lock()
        defer { Self.spawnLock.unlock() }
        guard let out = Self.closeOnExecPipe(), let err = Self.closeOnExecPipe() else {
            finish(.launchFailed("could not create a pipe"))
            return
        }
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = out.write
        process.standardError = err.write
        lock.withLock { readers = [out.read, err.read] }
        out.read.readabilityHandler = { [self] handle in read(handle, toStdout: true) }
        err.read.readabilityHandler = { [self] handle in read(handle, toStdout: false) }
        process.terminationHandler = { [self] process in
            let signalled = process.terminationReason == .uncaughtSignal
            lock.withLock { exit = (process.terminationStatus, signalled) }
            completeIfDone()
            // A background process the program started may hold its output open; what the
            // program itself printed is in the pipe by now.
            Task { [self] in
                try? await Task.sleep(for: .seconds(1))
                completeIfDone(force: true)
            }
        }
        do {
            try process.run()
        } catch {
            out.read.readabilityHandler = nil
            err.read.readabilityHandler = nil
            for handle in [out.read, out.write, err.read, err.write] { try? handle.close() }
            let cause = Self.posixCode(of: error)
            lock.withLock { programWasBusy = cause == ETXTBSY }
            // Foundation's own text for a failed launch is "NSCocoaErrorDomain error 256"; the
            // system's ("Text file busy", "Permission denied") says what is wrong.
            let reason = cause.map { String(cString: strerror($0)) } ?? (error as NSError).localizedDescription
            finish(.launchFailed(reason))
            return
        }
        // The child has its own copies; the parent's write ends must go, or end-of-file never comes.
        try? out.write.close()
        try? err.write.close()
        lock.withLock { launched = true }
        let timer = Task { [self] in
            do { try await Task.sleep(for: timeout) } catch { return }  // Cancelled: the run ended in time.
            finish(.timedOut)
        }
        // The run may have ended before the timer existed; then it must not be left sleeping.
        let ended = lock.withLock {
            self.timer = timer
            return outcome != nil
        }
        if ended { timer.cancel() }
    }

    /// A pipe whose descriptors are closed in every other child the daemon starts: inherited
    /// write ends would keep this run's pipes open, and its end-of-file from ever arriving.
    /// (`pipe2` is not visible from Swift's Glibc module; ``spawnLock`` closes the gap between
    /// `pipe` and `fcntl` for the children started here.)
    private static func closeOnExecPipe() -> (read: FileHandle, write: FileHandle)? {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { return nil }
        _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
        return (
            FileHandle(fileDescriptor: fds[0], closeOnDealloc: true),
            FileHandle(fileDescriptor: fds[1], closeOnDealloc: true)
        )
    }

    /// The `errno` behind a failed `Process.run()`, which Foundation keeps as the underlying error.
    private static func posixCode(of error: any Error) -> Int32? {
        guard let underlying = (error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError,
            underlying.domain == NSPOSIXErrorDomain
        else { return nil }
        return Int32(exactly: underlying.code)
    }

    /// Held while pipes are made and a child is spawned, so no child starts between the two.
    private static let spawnLock = NSLock()

    private func read(_ handle: FileHandle, toStdout: Bool) {
        let data = handle.availableData
        if data.isEmpty {
            handle.readabilityHandler = nil  // End of file; without this Linux keeps calling back.
            lock.withLock { openPipes -= 1 }
            completeIfDone()
            return
        }
        let tooLarge = lock.withLock {
            if toStdout { stdout += data } else { stderr += data }
            return stdout.count + stderr.count > maxOutputBytes
        }
        if tooLarge { finish(.outputTooLarge) }
    }

    /// Finishes once the program exited and both pipes reached end-of-file, or with `force`,
    /// once it exited.
    private func completeIfDone(force: Bool = false) {
        let result: Outcome? = lock.withLock {
            guard let exit, openPipes == 0 || force else { return nil }
            return .exited(status: exit.status, signalled: exit.signalled, stdout: stdout, stderr: stderr)
        }
        if let result { finish(result) }
    }

    /// Resumes the caller once; a run that ends any other way than by exiting is killed.
    private func finish(_ result: Outcome) {
        let (continuation, timer, running): (CheckedContinuation<Outcome, Never>?, Task<Void, Never>?, Bool) =
            lock.withLock {
                guard outcome == nil else { return (nil, nil, false) }
                outcome = result
                defer { self.continuation = nil }
                // An `.exited` result implies `exit` is set, so only runs cut short are stopped.
                return (self.continuation, self.timer, launched && exit == nil)
            }
        guard let continuation else { return }
        timer?.cancel()
        if running { stop() }
        continuation.resume(returning: result)
    }

    /// SIGTERM, then SIGKILL for a program that ignores it.
    private func stop() {
        process.terminate()
        let pid = process.processIdentifier
        Task { [self] in
            try? await Task.sleep(for: .seconds(2))
            if lock.withLock({ exit == nil }), pid > 0 { _ = kill(pid, SIGKILL) }
        }
    }
}
