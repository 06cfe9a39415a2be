import Dispatch

#if canImport(Glibc)
import Glibc
#endif

/// Reads a file descriptor line by line with read(2), holding at most one line (up to
/// `maxLineBytes`) and one read's worth of bytes in memory, however large the input.
///
/// Blocking reads run on a serial queue of the reader's own, never on a thread of Swift's
/// cooperative pool (a slow pipe on standard input must not starve the tasks that run requests).
/// A `wake` descriptor (``WakePipe``) ends a wait early: ``next()`` returns ``Line/woken``.
final class LineReader: @unchecked Sendable {
    /// What one call of ``next()`` found.
    enum Line: Equatable, Sendable {
        /// A line without its `\n` (or `\r\n`); invalid UTF-8 is replaced by U+FFFD.
        case text(String)
        /// A line longer than the limit, skipped; `bytes` is its length.
        case tooLong(bytes: Int)
        /// The end of the input.
        case end
        /// The wake descriptor became readable before a whole line arrived.
        case woken
        /// read(2) failed with this `errno`.
        case failed(Int32)
    }

    /// The limit of a line: the daemon's default frame limit, so no longer line could be sent anyway.
    static let defaultMaxLineBytes = 16 << 20
    private static let readSize = 64 << 10

    private let descriptor: Int32
    private let wake: Int32?
    private let maxLineBytes: Int
    private let closesDescriptor: Bool
    // Touched only on `queue` (or by the synchronous caller of `readLine()`).
    private var buffer: [UInt8] = []
    private var start = 0
    private var atEnd = false
    private let queue = DispatchQueue(label: "nlctl.line-reader")

    init(descriptor: Int32, wake: Int32? = nil, maxLineBytes: Int = defaultMaxLineBytes, closes: Bool = false) {
        self.descriptor = descriptor
        self.wake = wake
        self.maxLineBytes = maxLineBytes
        self.closesDescriptor = closes
    }

    deinit {
        if closesDescriptor { close(descriptor) }
    }

    /// The next line, read off the cooperative pool.
    func next() async -> Line {
        await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: self.readLine()) }
        }
    }

    /// The next line, blocking the calling thread.
    func readLine() -> Line {
        var skipped = 0
        while true {
            if let newline = buffer[start...].firstIndex(of: UInt8(ascii: "\n")) {
                return finish(take(upTo: newline, consuming: 1), skipped: skipped)
            }
            if atEnd {
                guard start < buffer.count else { return skipped > 0 ? .tooLong(bytes: skipped) : .end }
                return finish(take(upTo: buffer.count, consuming: 0), skipped: skipped)
            }
            if buffer.count - start > maxLineBytes {
                // Too long to keep: drop what there is and the rest of the line as it arrives.
                skipped += buffer.count - start
                buffer.removeAll(keepingCapacity: true)
                start = 0
            }
            if let failure = fill() { return failure }
        }
    }

    private func finish(_ line: String, skipped: Int) -> Line {
        let bytes = skipped + line.utf8.count
        return bytes > maxLineBytes ? .tooLong(bytes: bytes) : .text(line)
    }

    /// The bytes before `end` as a line (a trailing `\r` dropped), consuming `extra` more.
    private func take(upTo end: Int, consuming extra: Int) -> String {
        var last = end
        if last > start, buffer[last - 1] == UInt8(ascii: "\r") { last -= 1 }
        let line = String(decoding: buffer[start..<last], as: UTF8.self)
        start = end + extra
        if start == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            start = 0
        }
        return line
    }

    /// Reads once more into the buffer; a ``Line`` when the wait or the read ended otherwise.
    private func fill() -> Line? {
        if let wake, !waitForInput(wake: wake) { return .woken }
        if start > 0 {
            buffer.removeFirst(start)
            start = 0
        }
        let old = buffer.count
        buffer.append(contentsOf: repeatElement(0, count: Self.readSize))
        while true {
            let count = buffer.withUnsafeMutableBytes { bytes in
                bytes.baseAddress.map { read(descriptor, $0 + old, Self.readSize) } ?? 0
            }
            let error = count < 0 ? errno : 0
            if error == EINTR { continue }
            buffer.removeLast(Self.readSize - max(count, 0))
            if count < 0 { return .failed(error) }
            if count == 0 { atEnd = true }
            return nil
        }
    }

    /// Waits until the input is readable; `false` (with the wake pipe drained) when woken first.
    private func waitForInput(wake: Int32) -> Bool {
        var fds = [
            pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0),
            pollfd(fd: wake, events: Int16(POLLIN), revents: 0),
        ]
        while poll(&fds, 2, -1) < 0 && errno == EINTR {}
        if fds[1].revents != 0 {
            WakePipe.drain(wake)
            return false
        }
        return true
    }
}

/// A pipe a signal handler writes one byte to, so a thread blocked in poll(2) wakes up.
struct WakePipe: Sendable {
    let readEnd: Int32
    let writeEnd: Int32

    /// A non-blocking pipe, or `nil` when the process is out of descriptors.
    static func make() -> WakePipe? {
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else { return nil }
        for end in ends {
            _ = fcntl(end, F_SETFD, FD_CLOEXEC)
            _ = fcntl(end, F_SETFL, O_NONBLOCK)
        }
        return WakePipe(readEnd: ends[0], writeEnd: ends[1])
    }

    /// Wakes the reader; a full pipe already will.
    func signal() {
        var byte: UInt8 = 1
        _ = write(writeEnd, &byte, 1)
    }

    /// Empties the pipe (its read end is non-blocking).
    static func drain(_ descriptor: Int32) {
        var bytes = [UInt8](repeating: 0, count: 64)
        while read(descriptor, &bytes, bytes.count) > 0 {}
    }
}
