/// The common Messages API event, read without `JSONDecoder`: a `content_block_delta` whose
/// delta is a `text_delta` or a `thinking_delta`.
///
/// ``scan(_:)`` gives the ``AnthropicStreamEvent`` that decoding would give, so the assembler
/// handles it as ever. It reads only what the full decoder reads for that type — `type`, `index`
/// and `delta`, and in the delta `type` and `text` or `thinking` — and declines every other event
/// type, delta type or shape: an `index` that is not a plain non-negative integer, an escaped
/// `type`, a repeated key that matters, a `thinking` or `text` that is neither a string nor
/// `null`.
enum AnthropicFastEvent {
    /// The event, or nil when the full decoder must read it.
    static func scan(_ data: [UInt8]) -> AnthropicStreamEvent? {
        scanLocatingText(data)?.event
    }

    /// A text or thinking delta, with where its text lay in the event.
    struct TextDelta {
        let index: Int
        let text: String
        let isThinking: Bool
        /// Quotes included: all that such an event carries beyond its index and kind, so an
        /// ``EventTemplate`` can read the next one.
        let quoted: Range<Int>

        var event: AnthropicStreamEvent { AnthropicFastEvent.event(index: index, text: text, isThinking: isThinking) }
    }

    /// The delta event of block `index` carrying `text`, thinking or not.
    static func event(index: Int, text: String, isThinking: Bool) -> AnthropicStreamEvent {
        .contentBlockDelta(index: index, delta: isThinking ? .thinking(text) : .text(text))
    }

    /// The event as ``scan(_:)`` reads it, with where its text lay.
    static func scanLocatingText(_ data: [UInt8]) -> TextDelta? {
        data.withUnsafeBufferPointer { bytes in
            var scanner = JSONFastScanner(bytes)
            return try? read(&scanner)
        }
    }

    private enum EventField: Int { case type, index, delta }
    private enum DeltaField: Int { case type, text, thinking }

    private static func read(
        _ scanner: inout JSONFastScanner
    ) throws(JSONFastScanner.Decline)
        -> TextDelta
    {
        var seen = JSONSeenKeys<EventField>()
        var index: Int?
        var delta: (text: String, isThinking: Bool, quoted: Range<Int>)?
        try scanner.beginObject()
        while let key = try scanner.nextKey() {
            if scanner.key(key, is: "type") {
                try seen.insert(.type)
                let type = try scanner.readPlainString()
                guard scanner.matches(type, "content_block_delta") else { throw JSONFastScanner.Decline() }
            } else if scanner.key(key, is: "index") {
                try seen.insert(.index)
                index = try scanner.readPlainInteger()
            } else if scanner.key(key, is: "delta") {
                try seen.insert(.delta)
                delta = try readDelta(&scanner)
            } else {
                try scanner.skipValue()
            }
        }
        try scanner.end()
        // Without `type` the event is ignored, not a delta: the full decoder says so.
        guard case let (index?, delta?) = (index, delta), seen.contains(.type) else {
            throw JSONFastScanner.Decline()
        }
        return TextDelta(index: index, text: delta.text, isThinking: delta.isThinking, quoted: delta.quoted)
    }

    /// `text_delta` and `thinking_delta`, whose text `decode(String.self, forKey:)` requires.
    private static func readDelta(
        _ scanner: inout JSONFastScanner
    ) throws(JSONFastScanner.Decline)
        -> (text: String, isThinking: Bool, quoted: Range<Int>)
    {
        enum Kind { case text, thinking }
        var seen = JSONSeenKeys<DeltaField>()
        var kind: Kind?
        var text: (value: String, quoted: Range<Int>)?
        var thinking: (value: String, quoted: Range<Int>)?
        try scanner.beginObject()
        while let key = try scanner.nextKey() {
            if scanner.key(key, is: "type") {
                try seen.insert(.type)
                let type = try scanner.readPlainString()
                if scanner.matches(type, "text_delta") {
                    kind = .text
                } else if scanner.matches(type, "thinking_delta") {
                    kind = .thinking
                } else {
                    throw JSONFastScanner.Decline()
                }
            } else if scanner.key(key, is: "text") {
                try seen.insert(.text)
                text = try scanner.readOptionalQuotedString()
            } else if scanner.key(key, is: "thinking") {
                try seen.insert(.thinking)
                thinking = try scanner.readOptionalQuotedString()
            } else {
                try scanner.skipValue()
            }
        }
        switch kind {
        case .text?: if let text { return (text.value, false, text.quoted) }
        case .thinking?: if let thinking { return (thinking.value, true, thinking.quoted) }
        case nil: break
        }
        throw JSONFastScanner.Decline()
    }
}
