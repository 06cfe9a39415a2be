import FoundationEssentials
import NeuroLinkProtocol

/// One item of a batch: where it stands in the input, and the request to send or why there is none.
struct BatchItem: Sendable {
    /// Its position among the input's non-blank lines, from 0: the `index` of its output line.
    var index: Int
    /// Its line number in the input, from 1 (for messages).
    var line: Int
    var request: Result<StreamRequest, BatchFailure>
    /// The prompt's text, at most ``BatchItem/echoLimit`` characters, echoed in the output.
    var echo: String

    static let echoLimit = 200

    /// The item a non-blank input line stands for: a JSON object of `stream` params, taken as it is;
    /// any other line is a prompt, sent with `template`'s settings (the command line's options).
    init(text: String, index: Int, line: Int, template: StreamRequest) {
        self.index = index
        self.line = line
        let trimmed = text.trimmed(while: \.isBlank)
        guard trimmed.hasPrefix("{") else {
            var request = template
            request.input = StreamRequest.Input(text: trimmed)
            self.request = .success(request)
            echo = Self.clipped(trimmed)
            return
        }
        request = Self.parse(trimmed, line: line)
        switch request {
        case .success(let parsed): echo = Self.clipped(Self.promptText(of: parsed))
        case .failure: echo = Self.clipped(trimmed)
        }
    }

    /// A line too long to hold: an item that fails.
    init(tooLong bytes: Int, index: Int, line: Int) {
        self.index = index
        self.line = line
        let limit = LineReader.defaultMaxLineBytes >> 20
        request = .failure(BatchFailure(.invalidParams, "line \(line) has \(bytes) bytes, more than \(limit) MiB"))
        echo = ""
    }

    private static func parse(_ text: String, line: Int) -> Result<StreamRequest, BatchFailure> {
        guard let json = try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)) else {
            return .failure(BatchFailure(.parseError, "line \(line) starts with '{' but is not valid JSON"))
        }
        do throws(RPCError) {
            return .success(try StreamRequest(json: json))
        } catch {
            return .failure(BatchFailure(error.type, "line \(line): \(error.message)"))
        }
    }

    /// What the request asks: its input, else its last user message.
    private static func promptText(of request: StreamRequest) -> String {
        request.input?.text ?? request.messages?.last(where: { $0.role == "user" })?.content ?? ""
    }

    private static func clipped(_ text: String) -> String {
        text.count > echoLimit ? String(text.prefix(echoLimit)) : text
    }
}

/// Why an item failed, as its output line carries it: the daemon's error, or the reason the line
/// could not be sent.
struct BatchFailure: Error, Sendable, Codable, Equatable {
    var code: Int
    var message: String
    var type: String
    /// The daemon's word on whether the same request may succeed later.
    var retryable: Bool?

    init(_ type: ErrorType, _ message: String) {
        self.code = type.code
        self.message = message
        self.type = type.rawValue
    }

    init(_ error: any Error) {
        switch error {
        case let error as RPCError:
            self.init(error.type, error.message)
            retryable = error.data.retryable
        case is CancellationError:
            self.init(.cancelled, "cancelled by nlctl")
        default:
            self.init(.internal, "\(error)")
        }
    }
}
