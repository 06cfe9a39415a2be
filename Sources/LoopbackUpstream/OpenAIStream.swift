/// The shape of an OpenAI Chat Completions stream served by ``Scenario/stream(_:)``.
///
/// Timing: response headers are sent at once. After `firstDelay ?? delay` the role chunk and
/// the first content chunk are sent; every further content chunk follows `delay` after the
/// previous one. The trailer (finish chunk, usage chunk, `[DONE]`) or the configured
/// abnormal ``Ending`` follows the last content chunk without further delay.
public struct OpenAIStream: Sendable {
    /// Content pieces; each becomes one `delta.content` event.
    public var pieces: [String]
    /// Delay between content events. With `.zero` the stream is written as fast as the
    /// connection accepts it.
    public var delay: Duration = .zero
    /// Delay before the first event; `nil` means `delay`.
    public var firstDelay: Duration? = nil
    /// The `finish_reason` of the finish chunk.
    public var finishReason: String = "stop"
    /// Token counts for the final usage chunk (`"choices":[]`), sent before `[DONE]` only if
    /// the request asked for `stream_options.include_usage`. Non-streaming responses report
    /// these counts, or `(0, pieces.count)` when `nil`.
    public var usage: (prompt: Int, completion: Int)?
    /// How the stream ends.
    public var ending: Ending = .done
    /// Extra response headers, e.g. `x-ratelimit-remaining-requests`.
    public var headers: [HTTPField] = []

    /// How an ``OpenAIStream`` ends.
    public enum Ending: Sendable {
        /// Finish chunk, usage chunk (if requested and configured), `data: [DONE]`, end of body.
        case done
        /// All content, then a properly terminated HTTP body with no finish chunk and no `[DONE]`.
        case cleanEOFWithoutDone
        /// After `pieces` content events, the TCP connection is closed without terminating the
        /// chunked body. A non-streaming request gets its connection closed with no response.
        case dropAfter(pieces: Int)
        /// After `afterPieces` content events, sends
        /// `data: {"error":{"message":...,"type":"server_error","param":null,"code":null}}`
        /// and ends the body. A non-streaming request gets HTTP 500 with that error object.
        case inStreamError(afterPieces: Int, message: String)
    }

    /// Creates a stream description.
    public init(
        pieces: [String],
        delay: Duration = .zero,
        firstDelay: Duration? = nil,
        finishReason: String = "stop",
        usage: (prompt: Int, completion: Int)? = nil,
        ending: Ending = .done,
        headers: [HTTPField] = []
    ) {
        self.headers = headers
        self.pieces = pieces
        self.delay = delay
        self.firstDelay = firstDelay
        self.finishReason = finishReason
        self.usage = usage
        self.ending = ending
    }
}
