import Dispatch
import FoundationEssentials

#if canImport(Glibc)
import Glibc
#endif

/// Standard output or standard error can no longer be written: the reader went away (`EPIPE`:
/// `nlctl stream … | head -3`, a closed terminal) or the descriptor is unusable (`EBADF`, `EIO`, …).
///
/// Thrown by ``Terminal``'s writers instead of the crash Foundation's `FileHandle.write` would end in; the
/// command stops (cancelling its request) and exits with ``NLExit/outputClosed`` or ``NLExit/ioError``.
struct OutputClosed: Error, Sendable, CustomStringConvertible {
    /// `STDOUT_FILENO` or `STDERR_FILENO`.
    var descriptor: Int32
    /// What write(2) failed with.
    var errorNumber: Int32

    /// The reader closed its end: the ordinary end of a pipeline, not worth a message.
    var isBrokenPipe: Bool { errorNumber == EPIPE }

    var description: String {
        let stream = descriptor == STDERR_FILENO ? "standard error" : "standard output"
        return "cannot write to \(stream): \(String(cString: strerror(errorNumber)))"
    }
}

/// Writing to the terminal with write(2): unbuffered, and failures are errors rather than traps.
///
/// nlctl ignores `SIGPIPE` (``NLCtl/runFromCommandLine()``), so a closed pipe shows up here as `EPIPE`.
enum Terminal {
    /// Writes `text` to standard output as it is (no newline added).
    static func standardOutput(_ text: String) throws(OutputClosed) {
        try write(text, to: STDOUT_FILENO)
    }

    /// Writes `line` and a newline to standard error. Only a closed reader (`EPIPE`) is an error:
    /// other failures of a diagnostic stream must not stop the command's real work.
    static func standardError(_ line: String) throws(OutputClosed) {
        try standardErrorText(line + "\n")
    }

    /// Writes `text` to standard error as it is; failures as for ``standardError(_:)``.
    static func standardErrorText(_ text: String) throws(OutputClosed) {
        do throws(OutputClosed) { try write(text, to: STDERR_FILENO) } catch {
            if error.isBrokenPipe { throw error }
        }
    }

    /// A last word on standard error (the error that ends the command): best effort, never throws.
    static func diagnostic(_ line: String) {
        try? write(line + "\n", to: STDERR_FILENO)
    }

    static var stdinIsTerminal: Bool { isatty(STDIN_FILENO) == 1 }
    static var stdoutIsTerminal: Bool { isatty(STDOUT_FILENO) == 1 }
    static var stderrIsTerminal: Bool { isatty(STDERR_FILENO) == 1 }

    /// Everything on standard input up to its end; what was read before a read error, if one ends it.
    /// Waits when standard input was inherited in non-blocking mode.
    static func readStandardInput() -> String {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16_384)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(STDIN_FILENO, $0.baseAddress, $0.count) }
            if count > 0 {
                bytes += chunk[..<count]
                continue
            }
            switch count == 0 ? 0 : errno {
            case EINTR: continue
            case EAGAIN: waitFor(STDIN_FILENO, events: POLLIN)
            default: return String(decoding: bytes, as: UTF8.self)
            }
        }
    }

    /// Writes every byte of `text` to `descriptor`, retrying interrupted and partial writes, and
    /// waiting when the descriptor was inherited in non-blocking mode.
    static func write(_ text: String, to descriptor: Int32) throws(OutputClosed) {
        var text = text
        let failure: Int32? = text.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = Glibc.write(descriptor, bytes.baseAddress.map { $0 + offset }, bytes.count - offset)
                if written >= 0 {
                    offset += written
                    continue
                }
                switch errno {
                case EINTR: continue
                case EAGAIN: waitFor(descriptor, events: POLLOUT)
                case let code: return code
                }
            }
            return nil
        }
        if let failure { throw OutputClosed(descriptor: descriptor, errorNumber: failure) }
    }

    private static func waitFor(_ descriptor: Int32, events: Int32) {
        var request = pollfd(fd: descriptor, events: Int16(events), revents: 0)
        _ = poll(&request, 1, -1)
    }
}

/// Delivers SIGINT as an async event instead of killing the process.
enum Interrupts {
    /// Keeps the signal source alive for the life of the process (nlctl is short-lived).
    nonisolated(unsafe) private static var sources: [any DispatchSourceSignal] = []

    /// Call once, from the main flow, before any task awaits the stream. The stream serves one
    /// wait: cancelling a task that waits on it ends it.
    static func stream() -> AsyncStream<Void> {
        let (stream, continuation) = AsyncStream.makeStream(of: Void.self)
        handle { continuation.yield() }
        return stream
    }

    /// Calls `action` on every SIGINT from now on (on a dispatch queue, never in a signal handler).
    /// Call once, from the main flow.
    static func handle(_ action: @escaping @Sendable () -> Void) {
        signal(SIGINT, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler(handler: action)
        source.resume()
        sources.append(source)
    }
}
