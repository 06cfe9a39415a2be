import Foundation
import NeuroLinkProtocol

/// Decodes an `InvokeEndpointWithResponseStream` body: AWS event-stream messages whose
/// `PayloadPart` payloads are consecutive slices of the container's own output stream.
///
/// Slices are cut wherever the container's writes happened to end — inside SSE lines, JSON
/// objects and UTF-8 sequences — so they are fed, in order, to the container's decoder, which
/// already reassembles bytes split anywhere. `ModelStreamError` and `InternalStreamFailure`
/// exceptions throw at once; a body that ends inside a message, or before the container's own
/// terminal event, is a retryable `upstream_error`.
public struct SageMakerStreamDecoder: ProviderStreamDecoder {
    private let provider: String
    private var framing: EventStreamDecoder
    private var container: any ProviderStreamDecoder

    /// - Parameters:
    ///   - provider: the configured provider name, which prefixes every error message.
    ///   - container: the decoder of the container's stream (OpenAI SSE or TGI).
    public init(
        provider: String,
        container: any ProviderStreamDecoder,
        maxMessageBytes: Int = EventStreamDecoder.defaultMaxMessageBytes
    ) {
        self.provider = provider
        self.container = container
        framing = EventStreamDecoder(maxMessageBytes: maxMessageBytes)
    }

    public mutating func decode(_ bytes: [UInt8], into output: inout [ProviderEvent]) throws(RPCError) {
        let messages: [EventStreamMessage]
        do { messages = try framing.feed(bytes) } catch {
            throw SageMakerErrors.badResponse(provider: provider, Self.describe(error))
        }
        for message in messages {
            switch message.string(":message-type") {
            case "event":
                // `PayloadPart` is the only event type; others would be additions to ignore.
                if message.string(":event-type") == "PayloadPart" {
                    try container.decode(message.payload, into: &output)
                }
            case "exception":
                let (text, code) = Self.exceptionFields(message.payload)
                throw SageMakerErrors.inStream(
                    provider: provider,
                    name: message.string(":exception-type"),
                    message: text,
                    code: code
                )
            case "error":
                throw SageMakerErrors.inStream(
                    provider: provider,
                    name: message.string(":error-code"),
                    message: message.string(":error-message"),
                    code: nil
                )
            default:
                throw SageMakerErrors.badResponse(provider: provider, "a message has no known :message-type")
            }
        }
    }

    public mutating func finish(into output: inout [ProviderEvent]) throws(RPCError) {
        guard !framing.hasPartialMessage else {
            throw RPCError(
                .upstreamError,
                "\(provider): the stream ended inside an event-stream message",
                data: ErrorData(type: .upstreamError, retryable: true, provider: provider)
            )
        }
        try container.finish(into: &output)
    }

    /// `{"Message", "ErrorCode"}` of `ModelStreamError` (`InternalStreamFailure` has only the message).
    static func exceptionFields(_ payload: [UInt8]) -> (message: String?, code: String?) {
        guard let object = try? JSONSerialization.jsonObject(with: Data(payload)) as? [String: Any] else {
            return (nil, nil)
        }
        return (
            (object["Message"] ?? object["message"]) as? String, (object["ErrorCode"] ?? object["errorCode"]) as? String
        )
    }

    private static func describe(_ error: EventStreamError) -> String {
        switch error {
        case .preludeChecksumMismatch: "event-stream prelude checksum mismatch"
        case .messageChecksumMismatch: "event-stream message checksum mismatch"
        case .messageTooLarge(let declared, let limit):
            "an event-stream message declares \(declared) bytes (limit \(limit))"
        case .malformed(let what): "event-stream framing: \(what)"
        }
    }
}
