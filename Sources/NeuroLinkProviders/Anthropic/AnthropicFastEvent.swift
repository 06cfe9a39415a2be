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
        -> AnthropicStreamEvent
    {
        var seen = JSONSeenKeys<EventField>()
        var index: Int?
        var delta: AnthropicStreamEvent.Delta?
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
        return .contentBlockDelta(index: index, delta: delta)
    }

    /// `text_delta` and `thinking_delta`, whose text `decode(String.self, forKey:)` requires.
    private static func readDelta(
        _ scanner: inout JSONFastScanner
    ) throws(JSONFastScanner.Decline)
        -> AnthropicStreamEvent.Delta
    {
        enum Kind { case text, thinking }
        var seen = JSONSeenKeys<DeltaField>()
        var kind: Kind?
        var text: String?
        var thinking: String?
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
                text = try scanner.readOptionalString()
            } else if scanner.key(key, is: "thinking") {
                try seen.insert(.thinking)
                thinking = try scanner.readOptionalString()
            } else {
                try scanner.skipValue()
            }
        }
        switch kind {
        case .text?: if let text { return .text(text) }
        case .thinking?: if let thinking { return .thinking(thinking) }
        case nil: break
        }
        throw JSONFastScanner.Decline()
    }
}
