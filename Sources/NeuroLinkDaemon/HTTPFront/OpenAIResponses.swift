import NIOCore
import NIOHTTP1
import NeuroLinkProtocol

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The daemon's answers in OpenAI's JSON shapes: `chat.completion`, the model list, and errors
/// with the HTTP status OpenAI's clients expect for each error type.
enum OpenAIResponses {
    /// A whole answer as one `chat.completion` object.
    static func completion(_ result: StreamResult, id: String, model: String, created: Int) -> JSONValue {
        var message: [String: JSONValue] = ["role": .string("assistant"), "content": .string(result.text)]
        if let calls = result.toolCalls, !calls.isEmpty {
            message["tool_calls"] = .array(calls.map { toolCall($0, index: nil) })
            if result.text.isEmpty { message["content"] = .null }
        }
        var object: [String: JSONValue] = [
            "id": .string(id), "object": .string("chat.completion"), "created": .number(Double(created)),
            "model": .string(result.model.isEmpty ? model : result.model),
            "choices": .array([
                .object([
                    "index": .number(0), "message": .object(message),
                    "finish_reason": .string(finishReason(result.finishReason)),
                ])
            ]),
        ]
        if let usage = result.usage { object["usage"] = self.usage(usage) }
        return .object(object)
    }

    static func usage(_ usage: Usage) -> JSONValue {
        .object([
            "prompt_tokens": .number(Double(usage.inputTokens)),
            "completion_tokens": .number(Double(usage.outputTokens)),
            "total_tokens": .number(Double(usage.totalTokens)),
        ])
    }

    /// A tool call as OpenAI writes it; `index` for stream deltas.
    static func toolCall(_ call: ToolCall, index: Int?) -> JSONValue {
        let arguments = call.arguments.jsonText
        var object: [String: JSONValue] = [
            "id": .string(call.id), "type": .string("function"),
            "function": .object(["name": .string(call.name), "arguments": .string(arguments)]),
        ]
        if let index { object["index"] = .number(Double(index)) }
        return .object(object)
    }

    /// OpenAI's finish reasons are the daemon's, but for `error`, which it does not have.
    static func finishReason(_ reason: FinishReason) -> String {
        reason == .error ? "stop" : reason.rawValue
    }

    /// `GET /v1/models`: every provider's models and every pool, as `provider/model` and pool names.
    static func models(_ ids: [(id: String, owner: String)]) -> JSONValue {
        .object([
            "object": .string("list"),
            "data": .array(
                ids.map {
                    .object([
                        "id": .string($0.id), "object": .string("model"), "created": .number(0),
                        "owned_by": .string($0.owner),
                    ])
                }
            ),
        ])
    }

    /// The HTTP status and OpenAI error object for `error`.
    static func error(_ error: RPCError) -> (status: HTTPResponseStatus, body: JSONValue) {
        let (status, type): (HTTPResponseStatus, String) =
            switch error.type {
            case .invalidParams, .invalidRequest, .parseError, .contentBlocked, .upstreamInvalidRequest:
                (.badRequest, "invalid_request_error")
            case .forbidden: (.forbidden, "permission_error")
            case .providerNotFound: (.notFound, "not_found_error")
            case .rateLimited: (.tooManyRequests, "rate_limit_error")
            case .overloaded, .noProviderAvailable, .shuttingDown: (.serviceUnavailable, "service_unavailable")
            case .timeout: (.gatewayTimeout, "timeout")
            case .upstreamAuth, .upstreamError, .upstreamBadResponse: (.badGateway, "upstream_error")
            case .frameTooLarge: (.payloadTooLarge, "invalid_request_error")
            default: (.internalServerError, "server_error")
            }
        return (status, body(message: error.message, type: type, code: error.type.rawValue))
    }

    static func body(message: String, type: String, code: String?) -> JSONValue {
        .object([
            "error": .object([
                "message": .string(message), "type": .string(type), "param": .null,
                "code": code.map(JSONValue.string) ?? .null,
            ])
        ])
    }

    /// `value` as compact JSON (`/` unescaped: OpenAI's JSON has `provider/model` ids and URLs).
    static func data(_ value: JSONValue) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeJSONValue(value)
        return buffer
    }
}
