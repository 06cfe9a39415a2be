import NeuroLinkProtocol

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The body of Gemini's `streamGenerateContent`, built from a normalised ``ChatRequest``.
struct GeminiRequestBody: Encodable {
    var contents: [Content]
    var systemInstruction: Content?
    var generationConfig: GenerationConfig?
    var tools: [Tool]?
    var toolConfig: ToolConfig?

    struct Content: Encodable {
        /// `user` or `model`; absent on the system instruction.
        var role: String?
        var parts: [Part]
    }

    /// One part; exactly one of its fields is set.
    struct Part: Encodable {
        var text: String?
        var functionCall: FunctionCall?
        var functionResponse: FunctionResponse?
    }

    struct FunctionCall: Encodable {
        var name: String
        var args: JSONValue
    }

    struct FunctionResponse: Encodable {
        var name: String
        var response: JSONValue
    }

    struct GenerationConfig: Encodable {
        var temperature: Double?
        var topP: Double?
        var maxOutputTokens: Int?
        var stopSequences: [String]?
        var seed: Int?
        var responseMimeType: String?
        /// Plain JSON Schema; the older `responseSchema` wants Google's OpenAPI subset instead.
        var responseJsonSchema: JSONValue?
    }

    struct Tool: Encodable {
        var functionDeclarations: [FunctionDeclaration]
    }

    struct FunctionDeclaration: Encodable {
        var name: String
        var description: String?
        /// Plain JSON Schema, like ``ToolDefinition/parameters``; `parameters` would want the OpenAPI subset.
        var parametersJsonSchema: JSONValue?
    }

    struct ToolConfig: Encodable {
        var functionCallingConfig: FunctionCallingConfig
    }

    struct FunctionCallingConfig: Encodable {
        /// `AUTO`, `ANY` or `NONE`.
        var mode: String
        var allowedFunctionNames: [String]?
    }

    /// Throws `invalid_params` when a tool result answers no earlier tool call: Gemini links
    /// results to calls by function name, and only the calling message knows it.
    init(_ request: ChatRequest) throws(RPCError) {
        contents = try Self.contents(request.messages)
        systemInstruction = request.systemText.map { Content(role: nil, parts: [Part(text: $0)]) }
        if request.temperature != nil || request.topP != nil || request.maxTokens != nil || request.stop != nil
            || request.seed != nil || request.schema != nil
        {
            generationConfig = GenerationConfig(
                temperature: request.temperature,
                topP: request.topP,
                maxOutputTokens: request.maxTokens,
                stopSequences: request.stop,
                seed: request.seed,
                responseMimeType: request.schema == nil ? nil : "application/json",
                responseJsonSchema: request.schema
            )
        }
        if let definitions = request.tools, !definitions.isEmpty {
            tools = [
                Tool(
                    functionDeclarations: definitions.map {
                        FunctionDeclaration(
                            name: $0.name,
                            description: $0.description,
                            parametersJsonSchema: $0.parameters
                        )
                    }
                )
            ]
            toolConfig = request.toolChoice.map { ToolConfig(functionCallingConfig: Self.callingConfig($0)) }
        }
    }

    private static func callingConfig(_ choice: ToolChoice) -> FunctionCallingConfig {
        switch choice {
        case .auto: FunctionCallingConfig(mode: "AUTO")
        case .none: FunctionCallingConfig(mode: "NONE")
        case .required: FunctionCallingConfig(mode: "ANY")
        case .tool(let name): FunctionCallingConfig(mode: "ANY", allowedFunctionNames: [name])
        }
    }

    /// The conversation without its system messages. Consecutive tool results become one `user`
    /// turn, because Gemini wants every response to a turn's parallel calls in a single content.
    private static func contents(_ messages: [ChatMessage]) throws(RPCError) -> [Content] {
        var contents: [Content] = []
        var previousWasTool = false
        for (index, message) in messages.enumerated() {
            switch message.role {
            case "system":
                continue
            case "tool":
                let part = Part(
                    functionResponse: FunctionResponse(
                        name: try toolName(answeredAt: index, in: messages),
                        response: toolResponse(message.content)
                    )
                )
                if previousWasTool, !contents.isEmpty {
                    contents[contents.count - 1].parts.append(part)
                } else {
                    contents.append(Content(role: "user", parts: [part]))
                }
            case "assistant":
                var parts = (message.toolCalls ?? []).map {
                    Part(functionCall: FunctionCall(name: $0.name, args: $0.arguments))
                }
                if !message.content.isEmpty || parts.isEmpty { parts.insert(Part(text: message.content), at: 0) }
                contents.append(Content(role: "model", parts: parts))
            default:
                contents.append(Content(role: "user", parts: [Part(text: message.content)]))
            }
            previousWasTool = message.role == "tool"
        }
        return contents
    }

    /// A `response` must be an object: a result that is a JSON object is sent as such, anything
    /// else as text under `result`.
    private static func toolResponse(_ text: String) -> JSONValue {
        if let parsed = try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)), parsed.objectValue != nil {
            return .object(["content": parsed])
        }
        return .object(["content": .object(["result": .string(text)])])
    }

    /// The nearest earlier assistant message holding the id wins, since ids need only be unique
    /// within one turn (and Gemini's own, generated by the decoder, are only unique per answer).
    private static func toolName(answeredAt index: Int, in messages: [ChatMessage]) throws(RPCError) -> String {
        let id = messages[index].toolCallId ?? ""
        for message in messages[..<index].reversed() {
            if let call = message.toolCalls?.first(where: { $0.id == id }) { return call.name }
        }
        throw RPCError(
            .invalidParams,
            "params.messages[\(index)].toolCallId \"\(id.prefix(64))\" matches no tool call of an earlier assistant message"
        )
    }
}
