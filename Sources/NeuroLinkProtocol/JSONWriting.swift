import NIOCore

extension ByteBuffer {
    /// Appends `string` as a JSON string literal, quotes included (``RawJSONOutput``: sized exactly,
    /// then written in one pass).
    public mutating func writeJSONString(_ string: String) {
        var string = string
        string.withUTF8 { utf8 in
            _ = writeWithUnsafeMutableBytes(minimumWritableBytes: RawJSONOutput.jsonStringBytes(utf8)) { memory in
                var out = RawJSONOutput(memory: memory, count: 0)
                out.appendJSONString(utf8)
                return out.count
            }
        }
    }

    /// Appends an id as JSON (a number or a string literal).
    @inlinable
    public mutating func writeJSONID(_ id: RPCID) {
        switch id {
        case .number(let n): writeString(String(n))
        case .string(let s): writeJSONString(s)
        }
    }
}

extension ByteBuffer {
    /// Appends `usage` as the object `JSONEncoder` writes for it (optional members omitted when nil), for the
    /// hand-written frames (the finish chunk's and the result's) and the response cache's rows.
    public mutating func writeJSONUsage(_ usage: Usage) {
        writeString(
            #"{"inputTokens":\#(usage.inputTokens),"outputTokens":\#(usage.outputTokens),"totalTokens":\#(usage.totalTokens)"#
        )
        if let cached = usage.cachedInputTokens { writeString(#","cachedInputTokens":\#(cached)"#) }
        if let reasoning = usage.reasoningTokens { writeString(#","reasoningTokens":\#(reasoning)"#) }
        if let estimated = usage.estimated {
            writeStaticString(estimated ? #","estimated":true"# : #","estimated":false"#)
        }
        writeStaticString("}")
    }
}

extension JSONValue {
    /// The value as compact JSON text (see ``NIOCore/ByteBuffer/writeJSONValue(_:)``), as OpenAI
    /// carries tool-call arguments.
    public var jsonText: String {
        var buffer = ByteBuffer()
        buffer.writeJSONValue(self)
        return String(buffer: buffer)
    }
}

extension ByteBuffer {
    /// Appends `value` as compact JSON, as `JSONValue`'s `Encodable` conformance writes it through
    /// `JSONEncoder` (integral numbers below 9·10¹⁵ without a fraction; `/` unescaped), without
    /// building an encoder's intermediate tree. Members follow the dictionary's order. A non-finite
    /// number, which no parsed value holds, is written as `null`.
    public mutating func writeJSONValue(_ value: JSONValue) {
        switch value {
        case .null: writeStaticString("null")
        case .bool(let flag): writeStaticString(flag ? "true" : "false")
        case .number(let number): writeJSONNumber(number)
        case .string(let text): writeJSONString(text)
        case .array(let elements):
            writeInteger(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { writeInteger(UInt8(ascii: ",")) }
                writeJSONValue(element)
            }
            writeInteger(UInt8(ascii: "]"))
        case .object(let members):
            writeInteger(UInt8(ascii: "{"))
            var first = true
            for (key, member) in members {
                if !first { writeInteger(UInt8(ascii: ",")) }
                first = false
                writeJSONString(key)
                writeInteger(UInt8(ascii: ":"))
                writeJSONValue(member)
            }
            writeInteger(UInt8(ascii: "}"))
        }
    }

    /// Appends `number` as JSON: an integer when it is one below 9·10¹⁵, else its shortest
    /// round-tripping form; `null` when it is not finite.
    public mutating func writeJSONNumber(_ number: Double) {
        if !number.isFinite {
            writeStaticString("null")
        } else if number.rounded() == number, abs(number) < 9.0e15 {
            writeString(String(Int64(number)))
        } else {
            writeString(number.description)
        }
    }
}
