import NeuroLinkProtocol

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Decodes Text Generation Inference's `/generate_stream` SSE into ``ProviderEvent``s.
///
/// Each event is `data:{"token":{"id","text","logprob","special"},"generated_text":null,"details":null}`;
/// the last one carries the whole `generated_text` and `details` with `finish_reason`
/// (`length`, `eos_token`, `stop_sequence`) and `generated_tokens`. Special tokens (the end-of-
/// sequence marker) are not text and are skipped. A failure arrives as `data:{"error","error_type"}`.
/// The answer is complete once `details.finish_reason` came; a body ending before that throws.
public struct TGIStreamDecoder: ProviderStreamDecoder {
    let provider: String
    private var parser = SSEParser()
    private var events: [SSEEvent] = []
    private var finished = false
    private let decoder = JSONDecoder()

    /// - Parameter provider: the configured provider name, used in error messages.
    public init(provider: String) {
        self.provider = provider
    }

    struct Event: Decodable {
        var token: Token?
        var details: Details?
        var error: String?
        var error_type: String?

        struct Token: Decodable {
            var text: String?
            var special: Bool?
        }

        struct Details: Decodable {
            var finish_reason: String?
            /// Counts are clamped to 0...Int.max whatever number the server sends (see TokenCount).
            var generated_tokens: TokenCount?
            /// The prompt's length in tokens; recent TGI versions report it.
            var input_length: TokenCount?
        }
    }

    public mutating func decode(_ bytes: [UInt8], into output: inout [ProviderEvent]) throws(RPCError) {
        do {
            try parser.feed(bytes, into: &events)
        } catch {
            throw badResponse("an SSE line or event exceeded \(parser.maxLineBytes) bytes")
        }
        defer { events.removeAll(keepingCapacity: true) }
        for event in events where !finished {
            if event.data.elementsEqual("[DONE]".utf8) { continue }  // Not TGI's, but harmless.
            let decoded: Event
            do { decoded = try decoder.decode(Event.self, from: Data(event.data)) } catch {
                throw badResponse("an event was not valid JSON")
            }
            if let error = decoded.error { throw inStreamError(error, type: decoded.error_type) }
            if let token = decoded.token, token.special != true, let text = token.text, !text.isEmpty {
                output.append(.text(text))
            }
            guard let details = decoded.details, let reason = details.finish_reason else { continue }
            finished = true
            output.append(.finish(Self.finishReason(reason)))
            if let generated = details.generated_tokens {
                output.append(
                    .usage(Usage(inputTokens: details.input_length?.value ?? 0, outputTokens: generated.value))
                )
            }
        }
    }

    public mutating func finish(into output: inout [ProviderEvent]) throws(RPCError) {
        guard finished else {
            throw RPCError(
                .upstreamError,
                "\(provider): the stream ended before the final event's finish_reason",
                data: ErrorData(type: .upstreamError, retryable: true, provider: provider)
            )
        }
    }

    static func finishReason(_ raw: String) -> FinishReason {
        switch raw {
        case "eos_token", "stop_sequence": .stop
        case "length": .length
        default: FinishReason(rawValue: raw)
        }
    }

    /// TGI's error types: `validation` (the request is refused), `overloaded` (its queue is full),
    /// `generation` and `incomplete_generation` (the model failed).
    private func inStreamError(_ message: String, type: String?) -> RPCError {
        let text = Redaction.scrub(String(message.prefix(500)))
        let label = type.map { " (\($0.prefix(40)))" } ?? ""
        if type == "validation" {
            return RPCError(
                .upstreamInvalidRequest,
                "\(provider): the container refused the request\(label): \(text)",
                data: ErrorData(type: .upstreamInvalidRequest, retryable: false, provider: provider)
            )
        }
        return RPCError(
            .upstreamError,
            "\(provider): provider reported an error mid-stream\(label): \(text)",
            data: ErrorData(
                type: .upstreamError,
                retryable: true,
                provider: provider,
                failureClass: type == "overloaded" ? .overloaded : nil
            )
        )
    }

    private func badResponse(_ what: String) -> RPCError {
        RPCError(
            .upstreamBadResponse,
            "\(provider): malformed stream: \(what)",
            data: ErrorData(type: .upstreamBadResponse, retryable: true, provider: provider)
        )
    }
}
