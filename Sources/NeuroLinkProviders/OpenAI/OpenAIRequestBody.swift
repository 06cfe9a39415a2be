import NeuroLinkProtocol

/// The Chat Completions request body, built from a normalised ``ChatRequest``.
struct OpenAIRequestBody: Encodable {
    var model: String
    var messages: [Message]
    var stream: Bool
    var stream_options: StreamOptions?
    var max_tokens: Int?
    var max_completion_tokens: Int?
    var temperature: Double?
    var top_p: Double?
    /// Always a list, even for one sequence (the API takes a string too).
    var stop: [String]?
    var seed: Int?
    var tools: [Tool]?
    var tool_choice: ToolChoiceWire?
    var response_format: ResponseFormat?

    struct StreamOptions: Encodable { var include_usage: Bool }

    struct Message: Encodable {
        var role: String
        var content: String?
        var tool_calls: [WireToolCall]?
        var tool_call_id: String?
    }

    struct WireToolCall: Encodable {
        var id: String
        var type = "function"
        var function: Function
        struct Function: Encodable {
            var name: String
            /// OpenAI sends and expects arguments as a JSON string.
            var arguments: String
        }
    }

    struct Tool: Encodable {
        var type = "function"
        var function: Function
        struct Function: Encodable {
            var name: String
            var description: String?
            var parameters: JSONValue
        }
    }

    enum ToolChoiceWire: Encodable {
        case mode(String)
        case function(String)

        func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .mode(let mode): try container.encode(mode)
            case .function(let name):
                try container.encode([
                    "type": JSONValue.string("function"), "function": .object(["name": .string(name)]),
                ])
            }
        }
    }

    struct ResponseFormat: Encodable {
        var type = "json_schema"
        var json_schema: Schema
        struct Schema: Encodable {
            var name = "response"
            var schema: JSONValue
        }
    }

    /// `maxTokensField`: OpenAI's newer models only take `max_completion_tokens`; compatible servers know `max_tokens`.
    init(_ request: ChatRequest, useMaxCompletionTokens: Bool) {
        model = request.model
        stream = request.stream
        stream_options = request.stream ? StreamOptions(include_usage: true) : nil
        temperature = request.temperature
        top_p = request.topP
        stop = request.stop
        seed = request.seed
        if useMaxCompletionTokens { max_completion_tokens = request.maxTokens } else { max_tokens = request.maxTokens }
        messages = request.messages.map { message in
            Message(
                role: message.role,
                content: message.content.isEmpty && message.toolCalls != nil ? nil : message.content,
                tool_calls: message.toolCalls?.map { call in
                    WireToolCall(
                        id: call.id,
                        function: .init(
                            name: call.name,
                            arguments: call.arguments.jsonText
                        )
                    )
                },
                tool_call_id: message.toolCallId
            )
        }
        tools = request.tools.map { tools in
            tools.map {
                Tool(
                    function: .init(
                        name: $0.name,
                        description: $0.description,
                        parameters: $0.parameters ?? .object(["type": .string("object"), "properties": .object([:])])
                    )
                )
            }
        }
        tool_choice = request.toolChoice.map { choice in
            switch choice {
            case .auto: .mode("auto")
            case .none: .mode("none")
            case .required: .mode("required")
            case .tool(let name): .function(name)
            }
        }
        response_format = request.schema.map { ResponseFormat(json_schema: .init(schema: $0)) }
    }
}
