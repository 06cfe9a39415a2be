import NeuroLinkCore
import NeuroLinkProtocol

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A `POST /v1/chat/completions` body in OpenAI's format, turned into the daemon's `stream`
/// params: the same validation (``StreamRequest/init(json:)``) and the same pipeline as the Unix
/// socket. Fields OpenAI's clients send that the daemon has no use for are ignored.
struct OpenAIChatRequest {
    var params: StreamRequest
    var stream: Bool
    var includeUsage: Bool
    /// The `model` the client asked for, echoed in the answer.
    var model: String

    /// Reads `body`; `headers` carry NeuroLink's extensions (`x-neurolink-cache`, `x-neurolink-session`).
    init(body: JSONValue, headers: (String) -> String?, config: DaemonConfig) throws(RPCError) {
        guard let object = body.objectValue else { throw RPCError(.invalidParams, "the body must be a JSON object") }
        var params: [String: JSONValue] = [:]
        let model = object["model"]?.stringValue ?? "auto"
        self.model = model
        for (key, value) in Self.route(model, config: config) { params[key] = value }
        params["messages"] = .array(try Self.messages(object["messages"]))
        params["maxTokens"] = object["max_completion_tokens"] ?? object["max_tokens"]
        params["temperature"] = object["temperature"]
        params["topP"] = object["top_p"]
        params["stop"] = object["stop"]
        params["seed"] = object["seed"]
        if let tools = object["tools"], tools != .null { params["tools"] = .array(try Self.tools(tools)) }
        params["toolChoice"] = try object["tool_choice"].map(Self.toolChoice)
        params["schema"] = try object["response_format"].flatMap(Self.schema)
        var context: [String: JSONValue] = [:]
        if let user = object["user"]?.stringValue { context["userId"] = .string(user) }
        if let session = headers("x-neurolink-session") {
            context["sessionId"] = .string(session)
            params["memory"] = .bool(true)
        }
        if !context.isEmpty { params["context"] = .object(context) }
        if let mode = headers("x-neurolink-cache") { params["cache"] = .object(["mode": .string(mode)]) }
        self.params = try StreamRequest(json: .object(params.filter { $0.value != .null }))
        stream = object["stream"] == .bool(true)
        includeUsage = object["stream_options"]?["include_usage"] == .bool(true)
    }

    /// `provider/model`, a configured pool or provider, `auto`, or a model of the default provider.
    private static func route(_ model: String, config: DaemonConfig) -> [String: JSONValue] {
        if let slash = model.firstIndex(of: "/") {
            return [
                "provider": .string(String(model[..<slash])),
                "model": .string(String(model[model.index(after: slash)...])),
            ]
        }
        if model == "auto" || config.providers.contains(where: { $0.name == model })
            || config.pools.contains(where: { $0.name == model })
        {
            return ["provider": .string(model)]
        }
        return ["model": .string(model)]
    }

    private static func messages(_ value: JSONValue?) throws(RPCError) -> [JSONValue] {
        guard let list = value?.arrayValue else { throw RPCError(.invalidParams, "messages must be an array") }
        return try list.enumerated().map { index, message throws(RPCError) in try Self.message(message, index: index) }
    }

    private static func message(_ message: JSONValue, index: Int) throws(RPCError) -> JSONValue {
        var out: [String: JSONValue] = [:]
        let role = message["role"]?.stringValue
        out["role"] = .string(role == "developer" ? "system" : role ?? "")
        out["content"] = try text(of: message["content"], index: index)
        if let calls = message["tool_calls"]?.arrayValue {
            out["toolCalls"] = .array(try calls.map { call throws(RPCError) in try Self.toolCall(call, index: index) })
        }
        out["toolCallId"] = message["tool_call_id"]
        return .object(out)
    }

    /// A string, or the text parts of an array of content parts joined; other parts are refused.
    private static func text(of content: JSONValue?, index: Int) throws(RPCError) -> JSONValue {
        guard let parts = content?.arrayValue else { return content ?? .null }
        var text = ""
        for part in parts {
            guard part["type"]?.stringValue == "text", let piece = part["text"]?.stringValue else {
                throw RPCError(.invalidParams, "messages[\(index)].content: only text parts are supported")
            }
            text += piece
        }
        return .string(text)
    }

    private static func toolCall(_ call: JSONValue, index: Int) throws(RPCError) -> JSONValue {
        let arguments = call["function"]?["arguments"]?.stringValue ?? "{}"
        guard let parsed = try? JSONValue(parsing: arguments), parsed.objectValue != nil else {
            throw RPCError(.invalidParams, "messages[\(index)].tool_calls: function.arguments must be a JSON object")
        }
        return .object([
            "id": call["id"] ?? .null, "name": call["function"]?["name"] ?? .null, "arguments": parsed,
        ])
    }

    private static func tools(_ value: JSONValue) throws(RPCError) -> [JSONValue] {
        guard let list = value.arrayValue else { throw RPCError(.invalidParams, "tools must be an array") }
        return try list.map { tool throws(RPCError) in
            guard tool["type"]?.stringValue == "function", let function = tool["function"]?.objectValue else {
                throw RPCError(.invalidParams, #"tools: every tool must be {"type": "function", "function": {...}}"#)
            }
            return .object(function.filter { ["name", "description", "parameters"].contains($0.key) })
        }
    }

    private static func toolChoice(_ value: JSONValue) throws(RPCError) -> JSONValue {
        if value.stringValue != nil || value == .null { return value }
        guard let name = value["function"]?["name"] else {
            throw RPCError(.invalidParams, #"tool_choice must be "auto", "none", "required" or a function"#)
        }
        return .object(["name": name])
    }

    /// `json_object` → any object; `json_schema` → its schema; `text` → none.
    private static func schema(_ format: JSONValue) throws(RPCError) -> JSONValue? {
        switch format["type"]?.stringValue {
        case "json_object": return .object(["type": .string("object")])
        case "json_schema":
            guard let schema = format["json_schema"]?["schema"], schema.objectValue != nil else {
                throw RPCError(.invalidParams, "response_format.json_schema.schema must be a JSON Schema object")
            }
            return schema
        case "text", nil: return nil
        default: throw RPCError(.invalidParams, "response_format.type must be text, json_object or json_schema")
        }
    }
}
