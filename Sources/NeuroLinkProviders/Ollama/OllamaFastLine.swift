/// The common `/api/chat` record, read without `JSONDecoder`: a piece of the answer's text or
/// thinking, before the final record.
///
/// ``scan(_:wantsModel:)`` gives the ``OllamaChatLine`` that decoding would give, so the decoder
/// handles it as ever, but only for a record that is not the last (`done` false, `null` or
/// absent) and has no tool calls, no error, no finish reason and no counts (each may be `null`).
/// Anything else — a repeated key that matters, a number where a string belongs, `done: true` —
/// declines, and the full decoder reads the record.
enum OllamaFastLine {
    /// The record, or nil when the full decoder must read it.
    /// - Parameter wantsModel: whether to build the `model` string (it is checked either way).
    static func scan(_ data: [UInt8], wantsModel: Bool) -> OllamaChatLine? {
        data.withUnsafeBufferPointer { bytes in
            var scanner = JSONFastScanner(bytes)
            return try? read(&scanner, wantsModel: wantsModel)
        }
    }

    private enum LineField: Int { case model, message, done, doneReason, promptEvalCount, evalCount, error }
    private enum MessageField: Int { case content, thinking, toolCalls }

    private static func read(
        _ scanner: inout JSONFastScanner,
        wantsModel: Bool
    ) throws(JSONFastScanner.Decline)
        -> OllamaChatLine
    {
        var line = OllamaChatLine()
        var seen = JSONSeenKeys<LineField>()
        try scanner.beginObject()
        while let key = try scanner.nextKey() {
            if scanner.key(key, is: "model") {
                try seen.insert(.model)
                line.model = try scanner.readOptionalString(building: wantsModel)
            } else if scanner.key(key, is: "message") {
                try seen.insert(.message)
                line.message = try readMessage(&scanner)
            } else if scanner.key(key, is: "done") {
                try seen.insert(.done)
                line.done = try scanner.readOptionalBool()
                guard line.done != true else { throw JSONFastScanner.Decline() }
            } else if scanner.key(key, is: "done_reason") {
                try seen.insert(.doneReason)
                try scanner.expectNull()
            } else if scanner.key(key, is: "prompt_eval_count") {
                try seen.insert(.promptEvalCount)
                try scanner.expectNull()
            } else if scanner.key(key, is: "eval_count") {
                try seen.insert(.evalCount)
                try scanner.expectNull()
            } else if scanner.key(key, is: "error") {
                try seen.insert(.error)
                try scanner.expectNull()
            } else {
                try scanner.skipValue()
            }
        }
        try scanner.end()
        return line
    }

    private static func readMessage(
        _ scanner: inout JSONFastScanner
    ) throws(JSONFastScanner.Decline)
        -> OllamaChatLine.Message?
    {
        if try scanner.readNull() { return nil }
        var message = OllamaChatLine.Message()
        var seen = JSONSeenKeys<MessageField>()
        try scanner.beginObject()
        while let key = try scanner.nextKey() {
            if scanner.key(key, is: "content") {
                try seen.insert(.content)
                message.content = try scanner.readOptionalString()
            } else if scanner.key(key, is: "thinking") {
                try seen.insert(.thinking)
                message.thinking = try scanner.readOptionalString()
            } else if scanner.key(key, is: "tool_calls") {
                try seen.insert(.toolCalls)
                try scanner.expectNull()
            } else {
                try scanner.skipValue()
            }
        }
        return message
    }
}
