import NeuroLinkProtocol

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The ConverseStream request body, built from a normalised ``ChatRequest``.
///
/// The model id is not in the body: it is part of the URL.
struct BedrockRequestBody: Encodable {
    var messages: [Message]
    var system: [TextBlock]?
    var inferenceConfig: InferenceConfig?
    var toolConfig: ToolConfig?

    struct TextBlock: Encodable, Hashable { var text: String }

    struct Message: Encodable, Hashable {
        /// `user` or `assistant`.
        var role: String
        var content: [ContentBlock]
    }

    /// Converse content blocks are objects with exactly one key naming their kind.
    enum ContentBlock: Encodable, Hashable {
        case text(String)
        case toolUse(id: String, name: String, input: JSONValue)
        case toolResult(toolUseId: String, text: String)

        private enum Keys: String, CodingKey { case text, toolUse, toolResult }
        private enum ToolKeys: String, CodingKey { case toolUseId, name, input, content }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Keys.self)
            switch self {
            case .text(let text):
                try container.encode(text, forKey: .text)
            case .toolUse(let id, let name, let input):
                var tool = container.nestedContainer(keyedBy: ToolKeys.self, forKey: .toolUse)
                try tool.encode(id, forKey: .toolUseId)
                try tool.encode(name, forKey: .name)
                try tool.encode(input, forKey: .input)
            case .toolResult(let id, let text):
                var result = container.nestedContainer(keyedBy: ToolKeys.self, forKey: .toolResult)
                try result.encode(id, forKey: .toolUseId)
                // Converse rejects blank text blocks, so an empty result is an empty content list.
                try result.encode(text.isEmpty ? [] : [TextBlock(text: text)], forKey: .content)
            }
        }
    }

    /// Converse has no seed: ``ChatRequest/seed`` is not sent.
    struct InferenceConfig: Encodable {
        var maxTokens: Int?
        var temperature: Double?
        var topP: Double?
        var stopSequences: [String]?
    }

    struct ToolConfig: Encodable {
        var tools: [Tool]
        var toolChoice: ToolChoiceWire?
    }

    struct Tool: Encodable {
        var toolSpec: ToolSpec
    }

    struct ToolSpec: Encodable {
        var name: String
        var description: String?
        var inputSchema: InputSchema
    }

    struct InputSchema: Encodable { var json: JSONValue }

    /// `{"auto":{}}`, `{"any":{}}` or `{"tool":{"name":…}}`.
    enum ToolChoiceWire: Encodable {
        case auto, any
        case tool(String)

        private enum Keys: String, CodingKey { case auto, any, tool }
        private struct Empty: Encodable {}
        private struct Named: Encodable { var name: String }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Keys.self)
            switch self {
            case .auto: try container.encode(Empty(), forKey: .auto)
            case .any: try container.encode(Empty(), forKey: .any)
            case .tool(let name): try container.encode(Named(name: name), forKey: .tool)
            }
        }
    }

    init(_ request: ChatRequest) throws(RPCError) {
        messages = try BedrockConversation.messages(from: request.messages)
        // The JSON instruction for `schema` is shared with Anthropic: Converse's native
        // `outputConfig` is model-dependent, and an instruction works with every model.
        if let prompt = try AnthropicRequestBody.systemPrompt(request), !prompt.isEmpty {
            system = [TextBlock(text: prompt)]
        }
        if request.maxTokens != nil || request.temperature != nil || request.topP != nil || request.stop != nil {
            inferenceConfig = InferenceConfig(
                maxTokens: request.maxTokens,
                temperature: request.temperature,
                topP: request.topP,
                stopSequences: request.stop
            )
        }
        // Converse has no "none" tool choice: with `none` the tools are simply not offered.
        guard let definitions = request.tools, !definitions.isEmpty, request.toolChoice != ToolChoice.none else {
            return
        }
        let tools = definitions.map { definition in
            Tool(
                toolSpec: ToolSpec(
                    name: definition.name,
                    description: definition.description,
                    inputSchema: InputSchema(
                        json: definition.parameters ?? .object(["type": .string("object"), "properties": .object([:])])
                    )
                )
            )
        }
        let choice: ToolChoiceWire? =
            switch request.toolChoice {
            case .auto?: .auto
            case .required?: .any
            case .tool(let name)?: .tool(name)
            case ToolChoice.none?, nil: nil
            }
        toolConfig = ToolConfig(tools: tools, toolChoice: choice)
    }
}
