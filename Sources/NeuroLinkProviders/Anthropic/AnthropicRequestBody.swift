import NeuroLinkProtocol

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The Messages API request body, built from a normalised ``ChatRequest``.
struct AnthropicRequestBody: Encodable {
    var model: String
    var max_tokens: Int
    var stream: Bool
    var system: String?
    var messages: [AnthropicMessage]
    var temperature: Double?
    var top_p: Double?
    var stop_sequences: [String]?
    // The Messages API has no seed: ``ChatRequest/seed`` is not sent.
    var tools: [Tool]?
    var tool_choice: ToolChoiceWire?
    /// JSON outputs: `{"format": {"type": "json_schema", "schema": …}}` (``AnthropicStructuredOutput``).
    var output_config: OutputConfig?

    struct OutputConfig: Encodable {
        var format: Format

        struct Format: Encodable {
            var type = "json_schema"
            var schema: JSONValue
        }
    }

    struct Tool: Encodable {
        var name: String
        var description: String?
        var input_schema: JSONValue
    }

    struct ToolChoiceWire: Encodable {
        /// `auto`, `any`, `none` or `tool`.
        var type: String
        /// Only with `type == "tool"`.
        var name: String?
    }

    /// `maxTokens` is already resolved: Anthropic rejects a request without `max_tokens`. A response
    /// schema goes to `output_config.format` when `structuredOutput` picks it for this model, else
    /// into the system prompt.
    init(_ request: ChatRequest, maxTokens: Int, structuredOutput: AnthropicStructuredOutput = .auto) throws(RPCError) {
        model = request.model
        max_tokens = maxTokens
        // The decoder only understands the event stream, so a buffered JSON answer is never asked for.
        stream = true
        temperature = request.temperature
        top_p = request.topP
        stop_sequences = request.stop
        messages = try AnthropicConversation.messages(from: request.messages)
        if let schema = request.schema, structuredOutput.usesNativeFormat(model: request.model, schema: schema) {
            output_config = OutputConfig(format: OutputConfig.Format(schema: schema))
            system = request.systemText
        } else {
            system = try Self.systemPrompt(request)
        }

        // With no tools a tool choice means nothing, and Anthropic rejects `tool_choice` without `tools`.
        guard let definitions = request.tools, !definitions.isEmpty else { return }
        tools = definitions.map { definition in
            Tool(
                name: definition.name,
                description: definition.description,
                input_schema: definition.parameters ?? .object(["type": .string("object"), "properties": .object([:])])
            )
        }
        tool_choice = request.toolChoice.map { choice in
            switch choice {
            case .auto: ToolChoiceWire(type: "auto")
            case .required: ToolChoiceWire(type: "any")
            case .none: ToolChoiceWire(type: "none")
            case .tool(let name): ToolChoiceWire(type: "tool", name: name)
            }
        }
    }

    /// The system messages joined, plus the structured-output instruction when a schema is given.
    ///
    /// Anthropic's native structured output (`output_config.format`) exists only for some models, and
    /// a model without it answers HTTP 400; for the others (``AnthropicStructuredOutput``) the gateway
    /// asks for JSON in the system prompt instead, which every Claude model follows. The answer is
    /// then only as conformant as the model makes it.
    /// Internal rather than private: Bedrock asks Claude (and other models) for JSON the same way.
    static func systemPrompt(_ request: ChatRequest) throws(RPCError) -> String? {
        guard let schema = request.schema else { return request.systemText }
        let schemaJSON: Data
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            schemaJSON = try encoder.encode(schema)
        } catch {
            throw RPCError(.internal, "could not encode the response schema")
        }
        let instruction =
            "Answer with only a single JSON object that conforms to the JSON Schema below: "
            + "no prose before or after it and no Markdown code fence.\n"
            + String(decoding: schemaJSON, as: UTF8.self)
        return [request.systemText, instruction].compactMap { $0 }.joined(separator: "\n\n")
    }
}
