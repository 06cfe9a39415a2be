/// The common `chat.completion.chunk`, read without `JSONDecoder`: at most one choice whose delta
/// carries text or reasoning, its finish reason, and the usage; nothing else that the full decoder
/// acts on.
///
/// ``scan(_:wantsModel:)`` accepts a chunk only when decoding it as ``OpenAIStreamDecoder/Chunk``
/// would succeed and give the same model, reasoning, content, finish reason and usage, with no
/// tool call and no error; `choices`, `delta`, `usage` and `error` may be `null`, as the
/// `Decodable` types allow. Token counts must be plain integers. Anything else — a second choice, a repeated key that matters, a number
/// where a string belongs — declines, and the full decoder reads the chunk.
struct OpenAIFastChunk {
    /// The `model`, when the caller asked for it (it is reported once per stream).
    var model: String?
    /// `reasoning_content`, or else `reasoning`: what the full decoder reports as reasoning.
    var reasoning: String?
    var content: String?
    var finishReason: String?
    var usage: OpenAIStreamDecoder.Chunk.WireUsage?
    /// Where `content` and `reasoning` lay in the chunk, quotes included.
    private var contentQuoted: Range<Int>?
    private var reasoningQuoted: Range<Int>?

    /// Where the chunk's text lay, when it carries one text and nothing else the decoder acts on
    /// (no finish reason, no usage): such a chunk can be an ``EventTemplate``.
    var soleText: (quoted: Range<Int>, isReasoning: Bool)? {
        guard finishReason == nil, usage == nil else { return nil }
        switch (contentQuoted, reasoningQuoted) {
        case (let quoted?, nil): return (quoted, false)
        case (nil, let quoted?): return (quoted, true)
        default: return nil
        }
    }

    /// The chunk's text, or nil when the full decoder must read it.
    /// - Parameter wantsModel: whether to build the `model` string (it is checked either way).
    static func scan(_ data: [UInt8], wantsModel: Bool) -> Self? {
        data.withUnsafeBufferPointer { bytes in
            var scanner = JSONFastScanner(bytes)
            return try? read(&scanner, wantsModel: wantsModel)
        }
    }

    private enum ChunkField: Int { case model, choices, usage, error }
    private enum ChoiceField: Int { case delta, finishReason }
    private enum DeltaField: Int { case content, reasoningContent, reasoning, toolCalls }
    private enum UsageField: Int { case prompt, completion, total, promptDetails, completionDetails }
    private enum DetailsField: Int { case cached, reasoning }

    private static func read(
        _ scanner: inout JSONFastScanner,
        wantsModel: Bool
    ) throws(JSONFastScanner.Decline)
        -> Self
    {
        var chunk = Self()
        var seen = JSONSeenKeys<ChunkField>()
        try scanner.beginObject()
        while let key = try scanner.nextKey() {
            if scanner.key(key, is: "model") {
                try seen.insert(.model)
                chunk.model = try scanner.readOptionalString(building: wantsModel)
            } else if scanner.key(key, is: "choices") {
                try seen.insert(.choices)
                try readChoices(&scanner, into: &chunk)
            } else if scanner.key(key, is: "usage") {
                try seen.insert(.usage)
                chunk.usage = try readUsage(&scanner)
            } else if scanner.key(key, is: "error") {
                try seen.insert(.error)
                try scanner.expectNull()
            } else {
                try scanner.skipValue()
            }
        }
        try scanner.end()
        return chunk
    }

    /// `null`, `[]` or one choice: only the first is used, yet every one must decode.
    private static func readChoices(
        _ scanner: inout JSONFastScanner,
        into chunk: inout Self
    )
        throws(JSONFastScanner.Decline)
    {
        if try scanner.readNull() { return }
        try scanner.beginArray()
        guard try scanner.nextElement() else { return }
        var seen = JSONSeenKeys<ChoiceField>()
        try scanner.beginObject()
        while let key = try scanner.nextKey() {
            if scanner.key(key, is: "delta") {
                try seen.insert(.delta)
                try readDelta(&scanner, into: &chunk)
            } else if scanner.key(key, is: "finish_reason") {
                try seen.insert(.finishReason)
                chunk.finishReason = try scanner.readOptionalString()
            } else {
                try scanner.skipValue()
            }
        }
        guard try !scanner.nextElement() else { throw JSONFastScanner.Decline() }
    }

    private static func readDelta(
        _ scanner: inout JSONFastScanner,
        into chunk: inout Self
    )
        throws(JSONFastScanner.Decline)
    {
        if try scanner.readNull() { return }
        var seen = JSONSeenKeys<DeltaField>()
        var content: (value: String, quoted: Range<Int>)?
        var reasoningContent: (value: String, quoted: Range<Int>)?
        var reasoning: (value: String, quoted: Range<Int>)?
        try scanner.beginObject()
        while let key = try scanner.nextKey() {
            if scanner.key(key, is: "content") {
                try seen.insert(.content)
                content = try scanner.readOptionalQuotedString()
            } else if scanner.key(key, is: "reasoning_content") {
                try seen.insert(.reasoningContent)
                reasoningContent = try scanner.readOptionalQuotedString()
            } else if scanner.key(key, is: "reasoning") {
                try seen.insert(.reasoning)
                reasoning = try scanner.readOptionalQuotedString()
            } else if scanner.key(key, is: "tool_calls") {
                try seen.insert(.toolCalls)
                try scanner.expectNull()
            } else {
                try scanner.skipValue()
            }
        }
        chunk.content = content?.value
        chunk.contentQuoted = content?.quoted
        chunk.reasoning = (reasoningContent ?? reasoning)?.value
        chunk.reasoningQuoted = (reasoningContent ?? reasoning)?.quoted
    }

    private typealias WireUsage = OpenAIStreamDecoder.Chunk.WireUsage

    private static func readUsage(_ scanner: inout JSONFastScanner) throws(JSONFastScanner.Decline) -> WireUsage? {
        if try scanner.readNull() { return nil }
        var seen = JSONSeenKeys<UsageField>()
        var usage = WireUsage()
        try scanner.beginObject()
        while let key = try scanner.nextKey() {
            if scanner.key(key, is: "prompt_tokens") {
                try seen.insert(.prompt)
                usage.prompt_tokens = try scanner.readOptionalTokenCount()
            } else if scanner.key(key, is: "completion_tokens") {
                try seen.insert(.completion)
                usage.completion_tokens = try scanner.readOptionalTokenCount()
            } else if scanner.key(key, is: "total_tokens") {
                try seen.insert(.total)
                usage.total_tokens = try scanner.readOptionalTokenCount()
            } else if scanner.key(key, is: "prompt_tokens_details") {
                try seen.insert(.promptDetails)
                usage.prompt_tokens_details = try readDetails(&scanner)
            } else if scanner.key(key, is: "completion_tokens_details") {
                try seen.insert(.completionDetails)
                usage.completion_tokens_details = try readDetails(&scanner)
            } else {
                try scanner.skipValue()
            }
        }
        return usage
    }

    private static func readDetails(
        _ scanner: inout JSONFastScanner
    ) throws(JSONFastScanner.Decline)
        -> WireUsage.Details?
    {
        if try scanner.readNull() { return nil }
        var seen = JSONSeenKeys<DetailsField>()
        var details = WireUsage.Details()
        try scanner.beginObject()
        while let key = try scanner.nextKey() {
            if scanner.key(key, is: "cached_tokens") {
                try seen.insert(.cached)
                details.cached_tokens = try scanner.readOptionalTokenCount()
            } else if scanner.key(key, is: "reasoning_tokens") {
                try seen.insert(.reasoning)
                details.reasoning_tokens = try scanner.readOptionalTokenCount()
            } else {
                try scanner.skipValue()
            }
        }
        return details
    }
}
