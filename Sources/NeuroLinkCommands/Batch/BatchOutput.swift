import ArgumentParser
import FoundationEssentials
import NeuroLinkProtocol

#if canImport(Glibc)
import Glibc
#endif

/// One line of `nlctl batch`'s output: `{"index", "ok", "result"}` or `{"index", "ok", "error"}`,
/// with the prompt echoed as `input`.
struct BatchRecord: Encodable {
    var index: Int
    var ok: Bool
    var result: StreamResult?
    var error: BatchFailure?
    var input: String?

    init(_ outcome: BatchOutcome) {
        index = outcome.index
        input = outcome.echo
        switch outcome.result {
        case .success(let result):
            ok = true
            self.result = result
        case .failure(let failure):
            ok = false
            error = failure
        }
    }
}

/// Where the records go: standard output, or the file of `--output`.
struct BatchSink {
    private let path: String?
    private let descriptor: Int32

    /// Standard output when `path` is `nil`; otherwise the file, created or emptied.
    init(path: String?) throws {
        self.path = path
        guard let path else {
            descriptor = STDOUT_FILENO
            return
        }
        descriptor = Glibc.open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw ValidationError("cannot create \(path): \(String(cString: strerror(errno)))")
        }
    }

    /// Whether records land on a terminal, where the progress bar must step aside for them.
    var isTerminal: Bool { path == nil && Terminal.stdoutIsTerminal }

    func write(_ record: BatchRecord) throws {
        let line = JSONLines.line(record)
        guard let path else { return try Terminal.standardOutput(line) }
        do throws(OutputClosed) { try Terminal.write(line, to: descriptor) } catch {
            Terminal.diagnostic("nlctl: cannot write \(path): \(String(cString: strerror(error.errorNumber)))")
            throw ExitCode(NLExit.ioError)
        }
    }

    func close() {
        if path != nil { _ = Glibc.close(descriptor) }
    }
}

/// `--retry-failed FILE`: the indexes an earlier run's output marks `"ok": false`.
enum BatchRetry {
    private struct Entry: Decodable {
        var index: Int
        var ok: Bool
    }

    static func failedIndexes(in path: String) throws -> Set<Int> {
        let reader = LineReader(descriptor: try BatchSource.open(path), closes: path != "-")
        var failed: Set<Int> = []
        var line = 0
        while true {
            line += 1
            switch reader.readLine() {
            case .end, .woken:
                return failed
            case .failed(let code):
                throw ValidationError("cannot read \(path): \(String(cString: strerror(code)))")
            case .text(let text) where text.allSatisfy(\.isWhitespace):
                continue
            case .text(let text):
                guard let entry = try? JSONDecoder().decode(Entry.self, from: Data(text.utf8)) else {
                    throw ValidationError("\(path), line \(line): not a line of nlctl batch output")
                }
                if !entry.ok { failed.insert(entry.index) }
            case .tooLong:
                throw ValidationError("\(path), line \(line): not a line of nlctl batch output (too long)")
            }
        }
    }
}
