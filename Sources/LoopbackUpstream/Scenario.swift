/// What the loopback upstream does with a chat-completions request.
///
/// Scenarios are selected by the `model` field of the request body; see
/// ``LoopbackUpstream/register(model:_:)`` and ``LoopbackUpstream/setDefault(_:)``.
public enum Scenario: Sendable {
    /// A normal OpenAI stream: the given content pieces, each as one SSE event, with
    /// ``OpenAIStream/delay`` between events (the first content event also waits
    /// `delay`, unless ``OpenAIStream/firstDelay`` is given).
    ///
    /// Non-streaming requests (`"stream"` absent or `false`) receive one `chat.completion`
    /// object holding the concatenated pieces, sent after `firstDelay ?? delay`.
    case stream(OpenAIStream)

    /// An HTTP error: status, extra headers and body (e.g. an OpenAI error JSON).
    ///
    /// `content-type: application/json` is added unless `headers` sets a content type.
    case error(status: Int, headers: [HTTPField], body: String)

    /// Raw body bytes, sent exactly as given: each piece is one HTTP chunk written after
    /// waiting `delay`. The status is 200 and the content type `text/event-stream`.
    /// Use this for malformed SSE, odd line endings or splits inside UTF-8 sequences.
    case raw(pieces: [[UInt8]], delay: Duration)

    /// Like ``raw(pieces:delay:)`` with extra response headers: any provider's rate-limit headers
    /// in front of any provider's body.
    case rawWithHeaders(pieces: [[UInt8]], headers: [HTTPField], delay: Duration = .zero)

    /// Sends 200 and the event-stream headers, then nothing, keeping the connection open
    /// until the client closes it or the server shuts down.
    case stall
    /// Like ``raw(pieces:delay:)``, then the TCP connection is closed without ending the body.
    case rawThenDrop(pieces: [[UInt8]], delay: Duration)
    /// Answers embedding requests (OpenAI's `POST /v1/embeddings`, Ollama's `POST /api/embed`)
    /// with a bag-of-words vector per input, after `delay`: each word, lower-cased, adds 1 to
    /// one of `dimensions` components. Texts with the same words get the same direction, texts
    /// sharing no word are orthogonal (unless their words collide), so tests can predict hits.
    /// Chat requests to such a model get a 400.
    case wordVectors(dimensions: Int, delay: Duration = .zero)
}

extension Scenario {
    /// An HTTP error whose body is the OpenAI error object
    /// `{"error":{"message":...,"type":...,"param":null,"code":...}}`.
    ///
    /// - Parameters:
    ///   - status: The HTTP status, e.g. 429.
    ///   - message: The human-readable `error.message`.
    ///   - type: The `error.type`, e.g. `rate_limit_exceeded` or `server_error`.
    ///   - code: The `error.code`, or `nil` for JSON `null`.
    ///   - headers: Extra response headers, e.g. `retry-after`.
    public static func openAIError(
        status: Int,
        message: String,
        type: String = "server_error",
        code: String? = nil,
        headers: [HTTPField] = []
    ) -> Scenario {
        .error(
            status: status,
            headers: headers,
            body: OpenAIWireFormat.errorObject(message: message, type: type, code: code)
        )
    }
}
