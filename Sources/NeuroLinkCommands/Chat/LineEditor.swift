import CEditLine
import Dispatch
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Reads the lines of an interactive chat with libedit: editing, and the history of this chat
/// on the up and down arrows.
///
/// libedit keeps global state, so every call runs on one serial queue. Its threads, like every
/// dispatch worker's, block signals: SIGINT reaches nlctl's own handler (``Interrupts``), never
/// libedit (which is told not to install handlers). While a line is edited, that handler writes
/// to the wake pipe; the key reader then hands libedit Ctrl-U, which empties the line.
final class LineEditor: Sendable {
    private let queue = DispatchQueue(label: "nlctl.line-editor")
    private let wake: Int32
    /// The wake pipe's read end, for the key reader: a C function pointer captures nothing.
    private static let wakeDescriptor = Atomic<Int32>(-1)

    init(wake: WakePipe) {
        self.wake = wake.readEnd
        Self.wakeDescriptor.store(wake.readEnd, ordering: .releasing)
        queue.sync {
            // libedit draws multibyte characters only in the user's locale.
            _ = setlocale(LC_CTYPE, "")
            nl_edit_configure { stream in LineEditor.nextKey(stream.map(fileno) ?? STDIN_FILENO) }
        }
    }

    /// The next line, without its newline; `nil` at Ctrl-D on an empty line (or the end of input).
    func readLine(prompt: String) async -> String? {
        await withCheckedContinuation { continuation in
            queue.async { [wake] in
                WakePipe.drain(wake)  // a Ctrl-C from before this prompt concerns it not
                guard let line = readline(prompt) else { return continuation.resume(returning: nil) }
                defer { free(line) }
                continuation.resume(returning: String(cString: line))
            }
        }
    }

    /// Adds `line` to the history the arrows walk through.
    func remember(_ line: String) {
        queue.async { _ = add_history(line) }
    }

    /// libedit's key reader: one character (a whole UTF-8 sequence as its code point), Ctrl-U
    /// when Ctrl-C was pressed, or -1 at the end of input.
    private static func nextKey(_ descriptor: Int32) -> Int32 {
        let wake = wakeDescriptor.load(ordering: .acquiring)
        var fds = [
            pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0),
            pollfd(fd: wake, events: Int16(POLLIN), revents: 0),
        ]
        while poll(&fds, 2, -1) < 0 {
            guard errno == EINTR else { return -1 }
        }
        if fds[1].revents != 0 {
            WakePipe.drain(wake)
            return 0x15  // Ctrl-U: libedit's em-kill-line
        }
        return UTF8Key.decode { readByte(descriptor) } ?? -1
    }

    private static func readByte(_ descriptor: Int32) -> UInt8? {
        var byte: UInt8 = 0
        while true {
            let count = read(descriptor, &byte, 1)
            if count == 1 { return byte }
            if count < 0 && errno == EINTR { continue }
            return nil
        }
    }
}

/// Decodes one character from a byte source: libedit's readline interface takes a custom key
/// reader's result as a whole character, so a UTF-8 sequence must arrive as its code point.
enum UTF8Key {
    static let replacement: Int32 = 0xFFFD

    /// The next character's code point; U+FFFD for a malformed sequence; `nil` at the end of input.
    static func decode(_ nextByte: () -> UInt8?) -> Int32? {
        guard let lead = nextByte() else { return nil }
        let (following, bits): (Int, UInt8) =
            switch lead {
            case 0..<0x80: (0, lead)
            case 0xC2..<0xE0: (1, lead & 0x1F)
            case 0xE0..<0xF0: (2, lead & 0x0F)
            case 0xF0..<0xF5: (3, lead & 0x07)
            default: (-1, 0)
            }
        guard following >= 0 else { return replacement }
        var value = Int32(bits)
        for _ in 0..<following {
            guard let byte = nextByte() else { return nil }
            guard byte & 0xC0 == 0x80 else { return replacement }
            value = value << 6 | Int32(byte & 0x3F)
        }
        return value
    }
}
