import NIOCore

/// Writes the response frame of a `stream` or `generate` that succeeded, by hand: `JSONEncoder`
/// cost about 150,000 instructions for it, a sixth of a whole request's own work in the daemon
/// (docs/benchmarks.md, "Instructions per chunk"). The fields every answer has are written here;
/// a result that holds one of the rare ones (tool calls, an object, analytics, an evaluation,
/// steps) or a number JSON cannot carry is declined, and `JSONEncoder` writes it as before.
/// What is written parses to the same JSON value as `JSONEncoder`'s output
/// (`StreamResultFrameTests`).
enum StreamResultFrame {
    /// The whole frame (length prefix included) for `result`, or nil when it declines.
    static func frame(_ result: StreamResult, id: RPCID, allocator: ByteBufferAllocator) -> ByteBuffer? {
        guard isWritable(result) else { return nil }
        var buffer = allocator.buffer(capacity: 512 + result.text.utf8.count + (result.reasoning?.utf8.count ?? 0))
        buffer.writeFrame { b in
            b.writeStaticString(#"{"jsonrpc":"2.0","id":"#)
            b.writeJSONID(id)
            b.writeStaticString(#","result":{"text":"#)
            b.writeJSONString(result.text)
            if let reasoning = result.reasoning { b.member("reasoning", reasoning) }
            b.member("finishReason", result.finishReason.rawValue)
            if let usage = result.usage { b.member("usage", usage) }
            b.member("provider", result.provider)
            b.member("model", result.model)
            b.writeStaticString(#","timings":{"#)
            if let first = result.timings.timeToFirstChunkMs {
                b.writeStaticString(#""timeToFirstChunkMs":"#)
                b.writeJSONNumber(first)
                b.writeStaticString(",")
            }
            b.writeStaticString(#""durationMs":"#)
            b.writeJSONNumber(result.timings.durationMs)
            b.writeStaticString(#"},"chunks":"#)
            b.writeString(String(result.chunks))
            if let route = result.route { b.member(route) }
            if let truncated = result.textTruncated {
                b.writeStaticString(truncated ? #","textTruncated":true"# : #","textTruncated":false"#)
            }
            if let cost = result.cost { b.member("cost", number: cost) }
            if let cache = result.cache { b.member(cache) }
            b.writeStaticString("}}")
        }
        return buffer
    }

    /// False for the fields written through `JSONEncoder` only, and for a non-finite number, which
    /// `JSONEncoder` refuses (the reply then becomes an `internal` error, as it always has).
    private static func isWritable(_ result: StreamResult) -> Bool {
        guard result.toolCalls == nil, result.object == nil, result.objectError == nil, result.analytics == nil,
            result.evaluation == nil, result.evaluationError == nil, result.steps == nil
        else { return false }
        let numbers = [
            result.timings.timeToFirstChunkMs, result.timings.durationMs, result.cost, result.cache?.ageMs,
            result.cache?.similarity, result.cache?.savedCost,
        ]
        return numbers.allSatisfy { $0?.isFinite ?? true }
    }
}

extension ByteBuffer {
    /// `,"name":"value"`.
    fileprivate mutating func member(_ name: StaticString, _ value: String) {
        writeMemberName(name)
        writeJSONString(value)
    }

    /// `,"name":number`.
    fileprivate mutating func member(_ name: StaticString, number: Double) {
        writeMemberName(name)
        writeJSONNumber(number)
    }

    fileprivate mutating func writeMemberName(_ name: StaticString) {
        writeStaticString(",\"")
        writeStaticString(name)
        writeStaticString("\":")
    }

    fileprivate mutating func member(_ name: StaticString, _ usage: Usage) {
        writeMemberName(name)
        writeJSONUsage(usage)
    }

    fileprivate mutating func member(_ route: RouteInfo) {
        writeStaticString(#","route":{"requested":"#)
        writeJSONString(route.requested)
        member("reason", route.reason)
        writeStaticString(#","skipped":["#)
        for (index, skipped) in route.skipped.enumerated() {
            writeStaticString(index == 0 ? #"{"provider":"# : #",{"provider":"#)
            writeJSONString(skipped.provider)
            member("reason", skipped.reason)
            writeStaticString("}")
        }
        writeStaticString("]")
        if let pool = route.pool { member("pool", pool) }
        if let strategy = route.strategy { member("strategy", strategy) }
        if let member = route.member { self.member("member", member) }
        if let attempts = route.attempts {
            writeStaticString(#","attempts":["#)
            for (index, attempt) in attempts.enumerated() {
                writeStaticString(index == 0 ? #"{"member":"# : #",{"member":"#)
                writeJSONString(attempt.member)
                member("outcome", attempt.outcome)
                if let wait = attempt.waitMs { writeString(#","waitMs":\#(wait)"#) }
                writeStaticString("}")
            }
            writeStaticString("]")
        }
        writeStaticString("}")
    }

    fileprivate mutating func member(_ cache: CacheInfo) {
        writeStaticString(#","cache":{"status":"#)
        writeJSONString(cache.status.rawValue)
        if let key = cache.key { member("key", key) }
        if let age = cache.ageMs { member("ageMs", number: age) }
        if let similarity = cache.similarity { member("similarity", number: similarity) }
        if let refusal = cache.refusal { member("refusal", refusal) }
        if let stored = cache.stored { writeStaticString(stored ? #","stored":true"# : #","stored":false"#) }
        if let saved = cache.savedUsage { member("savedUsage", saved) }
        if let savedCost = cache.savedCost { member("savedCost", number: savedCost) }
        writeStaticString("}")
    }
}
