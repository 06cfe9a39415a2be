import Foundation
import LoopbackUpstream
import NeuroLinkProtocol
import Testing

/// The provider-side rows of the fault matrix: what the upstream does to the faulty request.
enum ProviderFault: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case rateLimited = "429 with retry-after"
    case serverError = "500"
    case unavailable = "503"
    case overloaded = "529 overloaded"
    case droppedBeforeFirstChunk = "dropped before the first chunk"
    case droppedAfterFirstChunk = "dropped after the first chunk"
    case stall = "stall"
    case drip = "drip"
    case malformedFrame = "malformed frame"
    case inStreamError = "in-stream error event"
    case unauthorized = "401"
    case forbidden = "403"
    case hugeUsage = "usage near Int.max"
    case absurdRateLimitHeaders = "absurd rate-limit headers"

    var testDescription: String { rawValue }

    /// The text of the faulty answer's first event, delivered before faults that strike mid-stream.
    static let firstPiece = "FIRST"
    static let twoPieces = WireScript(pieces: [firstPiece, "SECOND"])

    /// The request's own total limit: the only limit a drip (bytes slower than anyone reads, but
    /// each within `idle_ms`) runs into.
    var requestTimeoutMs: Int? { self == .drip ? 800 : nil }

    /// What the upstream serves for the faulty request.
    func scenario(_ column: ProviderColumn) -> Scenario {
        let renderer = column.renderer
        let model = FaultMatrix.faultModel
        switch self {
        case .rateLimited: return column.errorScenario(status: 429, headers: [HTTPField("retry-after", "2")])
        case .serverError: return column.errorScenario(status: 500)
        case .unavailable: return column.errorScenario(status: 503)
        case .overloaded: return column.errorScenario(status: 529)
        case .unauthorized: return column.errorScenario(status: 401)
        case .forbidden: return column.errorScenario(status: 403)
        case .droppedBeforeFirstChunk:
            return .rawThenDrop(pieces: [], delay: .zero)
        case .droppedAfterFirstChunk:
            return .rawThenDrop(pieces: [Self.firstEvents(column)], delay: .zero)
        case .stall:
            return .stall
        case .drip:
            // A long answer, 4 bytes every 40 ms: never idle for `idle_ms`, never done.
            let long = renderer.renderBytes(WireScript(pieces: Array(repeating: "drip ", count: 500)), model: model)
            return .raw(pieces: split(long, every: 4), delay: .milliseconds(40))
        case .malformedFrame:
            return .raw(pieces: [Self.firstEvents(column), column.malformedFrame], delay: .zero)
        case .inStreamError:
            var script = Self.twoPieces
            script.inStreamErrorAfter = 1
            return .raw(pieces: [renderer.renderBytes(script, model: model)], delay: .zero)
        case .hugeUsage:
            let script = WireScript(pieces: ["ok"], usage: (Int.max, Int.max))
            return .raw(pieces: [renderer.renderBytes(script, model: model)], delay: .zero)
        case .absurdRateLimitHeaders:
            let bytes = renderer.renderBytes(WireScript(pieces: ["ok"]), model: model)
            return .rawWithHeaders(pieces: [bytes], headers: Self.absurdHeaders)
        }
    }

    /// The whole events of `column`'s answer up to and including the one carrying ``firstPiece``.
    static func firstEvents(_ column: ProviderColumn) -> [UInt8] {
        let bytes = column.renderer.renderBytes(twoPieces, model: FaultMatrix.faultModel)
        let end = FaultMatrix.endOfEvent(holding: firstPiece, in: bytes, column) ?? 0
        return Array(bytes.prefix(end))
    }

    /// Every provider's rate-limit headers at once, with values no provider should send.
    static let absurdHeaders = [
        HTTPField("x-ratelimit-limit-requests", "99999999999999999999999"),
        HTTPField("x-ratelimit-remaining-requests", "0"),
        HTTPField("x-ratelimit-reset-requests", "999999999999999h"),
        HTTPField("x-ratelimit-remaining-tokens", "-5"),
        HTTPField("x-ratelimit-reset-tokens", "1e308s"),
        HTTPField("anthropic-ratelimit-requests-limit", "9223372036854775807"),
        HTTPField("anthropic-ratelimit-requests-remaining", "0"),
        HTTPField("anthropic-ratelimit-requests-reset", "9999-12-31T23:59:59Z"),
        HTTPField("anthropic-ratelimit-tokens-limit", "1e400"),
        HTTPField("retry-after", "1e300"),
    ]

    /// The documented outcome (docs/protocol.md §8) of the faulty request.
    var expected: FaultOutcome {
        switch self {
        case .rateLimited:
            .failure(.rateLimited, retryable: true, status: 429, retryAfterMs: 2000, failureClass: .rateLimited)
        case .serverError: .failure(.upstreamError, retryable: true, status: 500, failureClass: .server)
        case .unavailable: .failure(.upstreamError, retryable: true, status: 503, failureClass: .overloaded)
        case .overloaded: .failure(.upstreamError, retryable: true, status: 529, failureClass: .overloaded)
        case .unauthorized: .failure(.upstreamAuth, retryable: false, status: 401, failureClass: .auth)
        case .forbidden: .failure(.upstreamAuth, retryable: false, status: 403, failureClass: .auth)
        case .droppedBeforeFirstChunk: .failure(.upstreamError, retryable: true, failureClass: .network)
        case .droppedAfterFirstChunk:
            .failure(.upstreamError, retryable: true, failureClass: .network, textBefore: Self.firstPiece)
        case .stall: .failure(.timeout, retryable: true, timeout: "first_chunk", failureClass: .timeout)
        case .drip: .failure(.timeout, retryable: true, timeout: "total", failureClass: .timeout)
        case .malformedFrame:
            .failure(.upstreamBadResponse, retryable: true, failureClass: .server, textBefore: Self.firstPiece)
        case .inStreamError: .failure(.upstreamError, retryable: true, textBefore: Self.firstPiece)
        case .hugeUsage: .success(text: "ok", usage: Usage(inputTokens: Usage.maxTokens, outputTokens: Usage.maxTokens))
        case .absurdRateLimitHeaders: .success(text: "ok", usage: nil)
        }
    }
}

/// What a faulty request must end with.
struct FaultOutcome: Sendable {
    /// The text chunks the client receives before the end.
    var text: String
    /// For a success: the usage the result reports, when the cell checks it.
    var usage: Usage?
    /// `nil`: the request succeeds.
    var error: ExpectedError?

    struct ExpectedError: Sendable {
        var type: ErrorType
        var retryable: Bool
        var status: Int?
        var retryAfterMs: Int?
        var timeout: String?
        /// `nil`: the class depends on the provider's wording (an in-stream error may say "overloaded").
        var failureClass: FailureClass?
    }

    static func success(text: String, usage: Usage?) -> FaultOutcome {
        FaultOutcome(text: text, usage: usage, error: nil)
    }

    static func failure(
        _ type: ErrorType,
        retryable: Bool,
        status: Int? = nil,
        retryAfterMs: Int? = nil,
        timeout: String? = nil,
        failureClass: FailureClass? = nil,
        textBefore: String = ""
    ) -> FaultOutcome {
        FaultOutcome(
            text: textBefore,
            usage: nil,
            error: ExpectedError(
                type: type,
                retryable: retryable,
                status: status,
                retryAfterMs: retryAfterMs,
                timeout: timeout,
                failureClass: failureClass
            )
        )
    }
}

extension ProviderColumn {
    /// An HTTP error in the provider's own shape: its error body, and for Bedrock the
    /// `x-amzn-ErrorType` header that names the error.
    func errorScenario(status: Int, headers: [HTTPField] = []) -> Scenario {
        let message = "injected \(status)"
        switch self {
        case .openAI:
            let type = [401: "invalid_request_error", 403: "invalid_request_error", 429: "requests"][status]
            return .openAIError(status: status, message: message, type: type ?? "server_error", headers: headers)
        case .anthropic:
            let type =
                [
                    401: "authentication_error", 403: "permission_error", 429: "rate_limit_error",
                    529: "overloaded_error",
                ][status] ?? "api_error"
            let body = json(["type": "error", "error": ["type": type, "message": message]])
            return .error(status: status, headers: headers, body: body)
        case .gemini:
            let name =
                [
                    401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED", 429: "RESOURCE_EXHAUSTED", 503: "UNAVAILABLE",
                ][status] ?? "INTERNAL"
            let body = json(["error": ["code": status, "message": message, "status": name]])
            return .error(status: status, headers: headers, body: body)
        case .ollama:
            return .error(status: status, headers: headers, body: json(["error": message]))
        case .bedrock:
            let name = [
                401: "UnrecognizedClientException", 403: "AccessDeniedException", 429: "ThrottlingException",
                500: "InternalServerException", 503: "ServiceUnavailableException",
            ][status]
            let named = name.map { [HTTPField("x-amzn-ErrorType", "\($0):http://internal.amazon.com/coral/")] } ?? []
            return .error(status: status, headers: headers + named, body: json(["message": message]))
        }
    }

    /// One frame of the format that cannot be decoded: JSON that is not JSON, or for Bedrock a
    /// frame whose message CRC is wrong.
    var malformedFrame: [UInt8] {
        switch self {
        case .openAI: return Array("data: {not json\n\n".utf8)
        case .anthropic: return Array("event: content_block_delta\ndata: {not json\n\n".utf8)
        case .gemini: return Array("data: {not json\r\n\r\n".utf8)
        case .ollama: return Array("{not json\n".utf8)
        case .bedrock:
            var frame = BedrockRenderer.frame(
                [
                    (":event-type", "contentBlockDelta"), (":content-type", "application/json"),
                    (":message-type", "event"),
                ],
                payload: Array(#"{"contentBlockIndex":0,"delta":{"text":"x"}}"#.utf8)
            )
            frame[frame.count - 1] ^= 0xFF
            return frame
        }
    }
}
