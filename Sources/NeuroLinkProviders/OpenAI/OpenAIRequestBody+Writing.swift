import NIOCore
import NeuroLinkProtocol

extension OpenAIRequestBody: JSONBodyWriting {
    /// The body as its `Encodable` conformance has it (members in declaration order, absent
    /// optionals left out), written straight into `buffer`: it is built once per attempt, and
    /// `JSONEncoder` cost more than the rest of preparing the request.
    func writeJSON(into buffer: inout ByteBuffer) {
        var object = JSONObjectWriter()
        object.member("model", into: &buffer)
        buffer.writeJSONString(model)
        object.member("messages", into: &buffer)
        buffer.writeJSONArray(messages) { message, buffer in message.writeJSON(into: &buffer) }
        object.member("stream", into: &buffer)
        buffer.writeStaticString(stream ? "true" : "false")
        if let stream_options {
            object.member("stream_options", into: &buffer)
            buffer.writeStaticString(
                stream_options.include_usage ? #"{"include_usage":true}"# : #"{"include_usage":false}"#
            )
        }
        object.optional("max_tokens", max_tokens, into: &buffer)
        object.optional("max_completion_tokens", max_completion_tokens, into: &buffer)
        object.optional("temperature", temperature, into: &buffer)
        object.optional("top_p", top_p, into: &buffer)
        if let stop {
            object.member("stop", into: &buffer)
            buffer.writeJSONArray(stop) { text, buffer in buffer.writeJSONString(text) }
        }
        object.optional("seed", seed, into: &buffer)
        if let tools {
            object.member("tools", into: &buffer)
            buffer.writeJSONArray(tools) { tool, buffer in tool.writeJSON(into: &buffer) }
        }
        if let tool_choice {
            object.member("tool_choice", into: &buffer)
            switch tool_choice {
            case .mode(let mode): buffer.writeJSONString(mode)
            case .function(let name):
                buffer.writeStaticString(#"{"type":"function","function":{"name":"#)
                buffer.writeJSONString(name)
                buffer.writeStaticString("}}")
            }
        }
        if let response_format {
            object.member("response_format", into: &buffer)
            buffer.writeStaticString(#"{"type":"#)
            buffer.writeJSONString(response_format.type)
            buffer.writeStaticString(#","json_schema":{"name":"#)
            buffer.writeJSONString(response_format.json_schema.name)
            buffer.writeStaticString(#","schema":"#)
            buffer.writeJSONValue(response_format.json_schema.schema)
            buffer.writeStaticString("}}")
        }
        object.close(&buffer)
    }
}

extension OpenAIRequestBody.Message {
    fileprivate func writeJSON(into buffer: inout ByteBuffer) {
        var object = JSONObjectWriter()
        object.member("role", into: &buffer)
        buffer.writeJSONString(role)
        if let content {
            object.member("content", into: &buffer)
            buffer.writeJSONString(content)
        }
        if let tool_calls {
            object.member("tool_calls", into: &buffer)
            buffer.writeJSONArray(tool_calls) { call, buffer in
                buffer.writeStaticString(#"{"id":"#)
                buffer.writeJSONString(call.id)
                buffer.writeStaticString(#","type":"#)
                buffer.writeJSONString(call.type)
                buffer.writeStaticString(#","function":{"name":"#)
                buffer.writeJSONString(call.function.name)
                buffer.writeStaticString(#","arguments":"#)
                buffer.writeJSONString(call.function.arguments)
                buffer.writeStaticString("}}")
            }
        }
        if let tool_call_id {
            object.member("tool_call_id", into: &buffer)
            buffer.writeJSONString(tool_call_id)
        }
        object.close(&buffer)
    }
}

extension OpenAIRequestBody.Tool {
    fileprivate func writeJSON(into buffer: inout ByteBuffer) {
        buffer.writeStaticString(#"{"type":"#)
        buffer.writeJSONString(type)
        buffer.writeStaticString(#","function":{"name":"#)
        buffer.writeJSONString(function.name)
        if let description = function.description {
            buffer.writeStaticString(#","description":"#)
            buffer.writeJSONString(description)
        }
        buffer.writeStaticString(#","parameters":"#)
        buffer.writeJSONValue(function.parameters)
        buffer.writeStaticString("}}")
    }
}
