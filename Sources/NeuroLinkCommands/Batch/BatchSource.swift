import ArgumentParser
import NeuroLinkProtocol

#if canImport(Glibc)
import Glibc
#endif

/// The items of a batch's input, read line by line as the runner asks for them: however large
/// the input, only the lines of the requests in flight are held.
struct BatchSource {
    private let reader: LineReader
    private let path: String
    private let template: StreamRequest
    /// With `--retry-failed`: the only indexes to run.
    private let only: Set<Int>?
    private let lastWanted: Int?
    private var index = 0
    private var line = 0

    /// Opens `path` (`-`: standard input). Plain-prompt lines are sent as `template` with their text.
    init(path: String, template: StreamRequest, only: Set<Int>? = nil) throws {
        reader = LineReader(descriptor: try Self.open(path), closes: path != "-")
        self.path = path
        self.template = template
        self.only = only
        // Nothing to rerun: end at once instead of reading the whole input for no item.
        lastWanted = only.map { $0.max() ?? -1 }
    }

    /// The next item to run, or `nil` at the end of the input.
    mutating func next() async throws -> BatchItem? {
        while true {
            if let lastWanted, index > lastWanted { return nil }
            line += 1
            switch await reader.next() {
            case .end:
                return nil
            case .failed(let code):
                throw ValidationError("cannot read \(path): \(String(cString: strerror(code)))")
            case .woken:
                continue
            case .text(let text) where text.allSatisfy(\.isWhitespace):
                continue
            case .text(let text):
                defer { index += 1 }
                guard wanted(index) else { continue }
                return BatchItem(text: text, index: index, line: line, template: template)
            case .tooLong(let bytes):
                defer { index += 1 }
                guard wanted(index) else { continue }
                return BatchItem(tooLong: bytes, index: index, line: line)
            }
        }
    }

    private func wanted(_ index: Int) -> Bool { only?.contains(index) ?? true }

    /// How many items (non-blank lines) a file holds, for the progress bar's total and ETA;
    /// `nil` for standard input, which can be read only once.
    static func count(_ path: String) -> Int? {
        guard path != "-", let descriptor = try? open(path) else { return nil }
        let reader = LineReader(descriptor: descriptor, closes: true)
        var items = 0
        while true {
            switch reader.readLine() {
            case .end, .failed: return items
            case .text(let text) where text.allSatisfy(\.isWhitespace): continue
            case .text, .tooLong: items += 1
            case .woken: continue
            }
        }
    }

    static func open(_ path: String) throws -> Int32 {
        if path == "-" { return STDIN_FILENO }
        let descriptor = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw ValidationError("cannot open \(path): \(String(cString: strerror(errno)))")
        }
        return descriptor
    }
}
