/// The common streamed `GenerateContentResponse`, read without `JSONDecoder`: at most one
/// candidate whose parts are text or thought text, with the usage so far.
///
/// ``scan(_:wantsModel:into:)`` accepts a response only when decoding it as ``GeminiResponse``
/// would succeed and the decoder would do the same with it: no finish reason, no function call,
/// no prompt feedback, no error (each may be `null`), and token counts, if any, written as plain
/// non-negative integers. Anything else — a second candidate, a repeated key that matters, a
/// count such as `1e3` — declines, and the full decoder reads the response.
struct GeminiFastResponse {
    /// The `modelVersion`, when the caller asked for it (it is reported once per stream).
    var modelVersion: String?
    var usageMetadata: GeminiResponse.UsageMetadata?

    /// Appends the events of the candidate's parts to `output` and returns the rest of the
    /// response; or returns nil, with `output` as it was, when the full decoder must read it.
    /// - Parameter wantsModel: whether to build the `modelVersion` string (it is checked either way).
    static func scan(_ data: [UInt8], wantsModel: Bool, into output: inout [ProviderEvent]) -> Self? {
        let mark = output.count
        let response = data.withUnsafeBufferPointer { bytes in
            var scanner = JSONFastScanner(bytes)
            return try? read(&scanner, wantsModel: wantsModel, into: &output)
        }
        if response == nil { output.removeSubrange(mark...) }
        return response
    }

    private enum ResponseField: Int { case candidates, promptFeedback, usageMetadata, modelVersion, error }
    private enum CandidateField: Int { case content, finishReason }
    private enum ContentField: Int { case parts }
    private enum PartField: Int { case text, thought, functionCall }
    private enum UsageField: Int { case prompt, candidates, thoughts, cachedContent, total }

    private static func read(
        _ scanner: inout JSONFastScanner,
        wantsModel: Bool,
        into output: inout [ProviderEvent]
    ) throws(JSONFastScanner.Decline) -> Self {
        var response = Self()
        var seen = JSONSeenKeys<ResponseField>()
        try scanner.beginObject()
        while let key = try scanner.nextKey() {
            if scanner.key(key, is: "candidates") {
                try seen.insert(.candidates)
                try readCandidates(&scanner, into: &output)
            } else if scanner.key(key, is: "usageMetadata") {
                try seen.insert(.usageMetadata)
                response.usageMetadata = try readUsage(&scanner)
            } else if scanner.key(key, is: "modelVersion") {
                try seen.insert(.modelVersion)
                response.modelVersion = try scanner.readOptionalString(building: wantsModel)
            } else if scanner.key(key, is: "promptFeedback") {
                try seen.insert(.promptFeedback)
                try scanner.expectNull()
            } else if scanner.key(key, is: "error") {
                try seen.insert(.error)
                try scanner.expectNull()
            } else {
                try scanner.skipValue()
            }
        }
        try scanner.end()
        return response
    }

    /// `null`, `[]` or one candidate: only the first is used, yet every one must decode.
    private static func readCandidates(
        _ scanner: inout JSONFastScanner,
        into output: inout [ProviderEvent]
    )
        throws(JSONFastScanner.Decline)
    {
        if try scanner.readNull() { return }
        try scanner.beginArray()
        guard try scanner.nextElement() else { return }
        var seen = JSONSeenKeys<CandidateField>()
        try scanner.beginObject()
        while let key = try scanner.nextKey() {
            if scanner.key(key, is: "content") {
                try seen.insert(.content)
                try readContent(&scanner, into: &output)
            } else if scanner.key(key, is: "finishReason") {
                try seen.insert(.finishReason)
                try scanner.expectNull()
            } else {
                try scanner.skipValue()
            }
        }
        guard try !scanner.nextElement() else { throw JSONFastScanner.Decline() }
    }

    private static func readContent(
        _ scanner: inout JSONFastScanner,
        into output: inout [ProviderEvent]
    )
        throws(JSONFastScanner.Decline)
    {
        if try scanner.readNull() { return }
        var seen = JSONSeenKeys<ContentField>()
        try scanner.beginObject()
        while let key = try scanner.nextKey() {
            guard scanner.key(key, is: "parts") else {
                try scanner.skipValue()
                continue
            }
            try seen.insert(.parts)
            if try scanner.readNull() { continue }
            try scanner.beginArray()
            while try scanner.nextElement() { try readPart(&scanner, into: &output) }
        }
    }

    /// A part with text, thought text or neither (an image, say, which the decoder skips too).
    private static func readPart(
        _ scanner: inout JSONFastScanner,
        into output: inout [ProviderEvent]
    )
        throws(JSONFastScanner.Decline)
    {
        var seen = JSONSeenKeys<PartField>()
        var text: String?
        var thought: Bool?
        try scanner.beginObject()
        while let key = try scanner.nextKey() {
            if scanner.key(key, is: "text") {
                try seen.insert(.text)
                text = try scanner.readOptionalString()
            } else if scanner.key(key, is: "thought") {
                try seen.insert(.thought)
                thought = try scanner.readOptionalBool()
            } else if scanner.key(key, is: "functionCall") {
                try seen.insert(.functionCall)
                try scanner.expectNull()
            } else {
                try scanner.skipValue()
            }
        }
        if let event = GeminiStreamDecoder.partEvent(text: text, thought: thought) { output.append(event) }
    }

    private static func readUsage(
        _ scanner: inout JSONFastScanner
    ) throws(JSONFastScanner.Decline)
        -> GeminiResponse.UsageMetadata?
    {
        if try scanner.readNull() { return nil }
        var seen = JSONSeenKeys<UsageField>()
        var usage = GeminiResponse.UsageMetadata()
        try scanner.beginObject()
        while let key = try scanner.nextKey() {
            if scanner.key(key, is: "promptTokenCount") {
                try seen.insert(.prompt)
                usage.promptTokenCount = try scanner.readOptionalTokenCount()
            } else if scanner.key(key, is: "candidatesTokenCount") {
                try seen.insert(.candidates)
                usage.candidatesTokenCount = try scanner.readOptionalTokenCount()
            } else if scanner.key(key, is: "thoughtsTokenCount") {
                try seen.insert(.thoughts)
                usage.thoughtsTokenCount = try scanner.readOptionalTokenCount()
            } else if scanner.key(key, is: "cachedContentTokenCount") {
                try seen.insert(.cachedContent)
                usage.cachedContentTokenCount = try scanner.readOptionalTokenCount()
            } else if scanner.key(key, is: "totalTokenCount") {
                try seen.insert(.total)
                usage.totalTokenCount = try scanner.readOptionalTokenCount()
            } else {
                try scanner.skipValue()
            }
        }
        return usage
    }
}
