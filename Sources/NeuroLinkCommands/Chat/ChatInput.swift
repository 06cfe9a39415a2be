#if canImport(Glibc)
import Glibc
#endif

/// Where a chat's lines come from: libedit on a terminal, or plain lines from a pipe or file.
enum ChatInput: Sendable {
    case editor(LineEditor)
    case plain(LineReader)

    enum Event: Equatable {
        case line(String)
        case end
        /// Ctrl-C while a piped chat waited for its next line.
        case interrupted
    }

    static let prompt = "you> "

    /// Standard input through libedit when it and standard output are a terminal, else plainly.
    static func standard(wake: WakePipe) -> ChatInput {
        if Terminal.stdinIsTerminal && Terminal.stdoutIsTerminal { return .editor(LineEditor(wake: wake)) }
        return .plain(LineReader(descriptor: STDIN_FILENO, wake: wake.readEnd))
    }

    var isInteractive: Bool {
        if case .editor = self { true } else { false }
    }

    func next() async -> Event {
        switch self {
        case .editor(let editor):
            guard let line = await editor.readLine(prompt: Self.prompt) else { return .end }
            if !line.allSatisfy(\.isWhitespace) { editor.remember(line) }
            return .line(line)
        case .plain(let reader):
            while true {
                switch await reader.next() {
                case .text(let line): return .line(line)
                case .end, .failed: return .end
                case .woken: return .interrupted
                case .tooLong(let bytes):
                    Terminal.diagnostic("nlctl: skipped a line of \(bytes) bytes (the limit is 16 MiB)")
                }
            }
        }
    }
}
