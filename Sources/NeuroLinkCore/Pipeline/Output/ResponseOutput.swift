import Logging
import NeuroLinkBasics
import NeuroLinkHTTP
import NeuroLinkLimits
import NeuroLinkProtocol
import NeuroLinkProviders
import NeuroLinkRouting

/// Everything a request sends its client, in one place: the answer's pieces pass through the
/// transform chain once, then feed the chunks, the accumulated text, reasoning and tool calls (so
/// `generate`'s result), and the structured-output parser alike. Notices go straight out.
///
/// The request's single `finish` chunk and its final result are made here, by ``finish(_:)`` and
/// ``result(_:)``, once per request, however many upstream calls produced the answer.
public struct ResponseOutput {
    private var sink: any ChunkSink
    /// Applied in order to every piece (see ``StreamTransform``).
    private var transforms: [any StreamTransform]
    private var structured: StructuredOutput?
    private let hasSchema: Bool
    /// Most bytes of text, reasoning and tool-call arguments one answer may accumulate: past it,
    /// `generate` fails, while `stream` goes on delivering and keeps only the beginning.
    let maxAnswerBytes: Int
    /// A `stream` answer went past ``maxAnswerBytes``: the rest is delivered but not kept.
    public private(set) var truncated = false

    public private(set) var text = ""
    public private(set) var reasoning = ""
    public private(set) var toolCalls: [ToolCall] = []
    private var answerBytes = 0
    /// Bytes of text, reasoning and tool-call arguments delivered, kept or not: what an output
    /// token estimate is made from when the provider reports no usage.
    public private(set) var deliveredBytes = 0
    public private(set) var chunksSent = 0
    /// When the first part of the answer (not a notice) reached the client.
    public private(set) var firstChunkAt: ContinuousClock.Instant?
    /// Whether any part of the answer (not just notices) reached the client.
    public private(set) var answerDelivered = false
    /// Whether any part of the current model turn's answer reached the client (see ``beginStep()``):
    /// what decides between retrying a failed call and continuing it.
    public private(set) var stepDelivered = false
    /// Where the current model turn began: UTF-8 bytes of ``text`` and the count of ``toolCalls``.
    private var stepStart = (textBytes: 0, toolCalls: 0)
    /// Chunks of the current batch, reused across batches.
    private var outgoing: [OutgoingChunk] = []
    /// With `enableAnalytics` on a `stream`: when the next `analytics` chunk is due.
    private var live: LiveAnalyticsClock?
    /// The running request's progress, updated once per batch of the answer.
    private let progress: RequestProgress?
    /// The transforms were flushed and the final object queued (``closeAnswer()``).
    private var answerClosed = false
    /// The answer's batches as they went out, for the response cache (``startRecording(limit:)``).
    private var recording: AnswerRecording?

    public init(
        sink: some ChunkSink,
        schema: JSONValue? = nil,
        transforms: [any StreamTransform] = [],
        maxAnswerBytes: Int = ResponseOutput.defaultMaxAnswerBytes,
        liveAnalytics: (receivedAt: ContinuousClock.Instant, interval: Duration)? = nil,
        progress: RequestProgress? = nil
    ) {
        self.sink = sink
        self.progress = progress
        if let liveAnalytics, sink.deliversChunks {
            live = LiveAnalyticsClock(receivedAt: liveAnalytics.receivedAt, interval: liveAnalytics.interval)
        }
        self.transforms = transforms
        self.maxAnswerBytes = maxAnswerBytes
        structured = schema.map(StructuredOutput.init(schema:))
        hasSchema = schema != nil
    }

    /// The default of `limits.max_answer_bytes`: 8 MiB.
    public static let defaultMaxAnswerBytes = 8 << 20

    public var bytesSent: Int { sink.bytesSent }
    public var deliversChunks: Bool { sink.deliversChunks }

    /// Adds a transform at the end of the chain.
    public mutating func append(_ transform: some StreamTransform) {
        transforms.append(transform)
    }

    /// The rule of a transform that ended the answer (a content filter's `stop`), if one did:
    /// the upstream call stops reading and the request finishes with `content_filter`.
    public var stoppedBy: String? {
        for transform in transforms { if let rule = transform.stopRule { return rule } }
        return nil
    }

    /// What the transforms did, for the record.
    public func reportTransforms(into outcome: inout SecurityOutcome) {
        for transform in transforms { transform.report(into: &outcome) }
    }

    /// Another member continues the turn's answer delivered so far: a ``SeamGuard`` at the head of
    /// the chain drops the continuation's repeat of it (replacing the guard of an earlier one).
    mutating func beginContinuation() {
        transforms.removeAll { $0 is SeamGuard }
        transforms.insert(SeamGuard(delivered: stepText), at: 0)
    }

    /// A new model turn of the tool loop begins: its text and tool calls are told apart from the
    /// earlier turns', and a failure before it delivers anything may be retried.
    mutating func beginStep() {
        stepStart = (text.utf8.count, toolCalls.count)
        stepDelivered = false
        transforms.removeAll { $0 is SeamGuard }
    }

    /// The text the current model turn added (all of it without a tool loop).
    var stepText: String {
        guard stepStart.textBytes > 0 else { return text }
        return String(decoding: text.utf8.dropFirst(stepStart.textBytes), as: UTF8.self)
    }

    /// The tool calls the current model turn made.
    var stepToolCalls: ArraySlice<ToolCall> { toolCalls.dropFirst(stepStart.toolCalls) }

    /// Sends the outcome of a tool the tool loop ran; it is not part of the model's answer.
    mutating func toolResult(_ result: ToolResult) async throws {
        try await sendAside(.toolResult(result))
    }

    /// Delivers the content of a batch of provider events (text, reasoning, tool calls) in one
    /// write; other events are the caller's. Throws when the client is gone or the answer exceeds
    /// ``maxAnswerBytes``.
    public nonisolated(nonsending) mutating func deliver(_ events: [ProviderEvent]) async throws {
        for event in events {
            switch event {
            case .text(let piece): try add(text: transformText(piece))
            case .reasoning(let piece): try add(reasoning: transformReasoning(piece))
            case .toolCall(let call): try add(toolCall: call)
            case .finish, .usage, .model: continue
            }
        }
        let now = ContinuousClock.now
        if let object = structured?.objectToSend(now: now) { outgoing.append(.object(object)) }
        if !outgoing.isEmpty,
            let figures = live?.figures(now: now, firstChunkAt: firstChunkAt, deliveredBytes: deliveredBytes)
        {
            outgoing.append(.analytics(figures))
        }
        try await flushOutgoing(answer: true)
    }

    /// Sends a notice (retry, failover, queued); it does not count as part of the answer.
    public mutating func notify(_ notice: Notice) async throws {
        try await sendAside(.notice(notice))
    }

    /// Sends the judge's scores of the answer (or why there are none), after the answer and
    /// before `finish`.
    public mutating func evaluated(_ outcome: EvaluationOutcome) async throws {
        try await sendAside(.evaluation(outcome))
    }

    /// Ends the answer and sends what it still held: for a stage that needs the whole answer
    /// before `finish` (the judge). ``finish(_:)`` does it in the same write as `finish` otherwise.
    public mutating func endAnswer() async throws {
        try closeAnswer()
        try await flushOutgoing(answer: true)
    }

    /// Ends the answer (releasing what transforms still hold, and the last object) and sends the
    /// request's one `finish` chunk.
    public mutating func finish(_ completion: Completion) async throws {
        try closeAnswer()
        let answer = !outgoing.isEmpty
        outgoing.append(.finish(completion.finishReason, completion.usage))
        try await flushOutgoing(answer: answer)
    }

    /// Queues what the transforms still hold and the final object; only the first call does.
    private mutating func closeAnswer() throws {
        guard !answerClosed else { return }
        answerClosed = true
        for index in transforms.indices {
            let held = transforms[index].flush()
            // What one transform releases at the end still passes the transforms after it.
            try add(text: transformText(held.text, from: index + 1))
            try add(reasoning: transformReasoning(held.reasoning, from: index + 1))
        }
        if let object = structured?.objectToSend(now: .now, final: true) { outgoing.append(.object(object)) }
    }

    /// Sends a chunk that is not part of the answer.
    private nonisolated(nonsending) mutating func sendAside(_ chunk: OutgoingChunk) async throws {
        try await sink.send([chunk])
        if sink.deliversChunks { chunksSent += 1 }
    }

    /// Hands the request's final response to the sink.
    public mutating func respond(_ result: Result<StreamResult, RPCError>) async {
        await sink.respond(result)
    }

    /// The request's final result.
    public func result(_ completion: Completion, context: RequestContext) -> StreamResult {
        let now = ContinuousClock.now
        var (object, objectError) = structured?.result() ?? (nil, nil)
        if truncated, hasSchema {
            objectError =
                "the answer is longer than limits.max_answer_bytes (\(maxAnswerBytes) bytes); it was not parsed"
        }
        var result = StreamResult(
            text: text,
            reasoning: reasoning.isEmpty ? nil : reasoning,
            finishReason: completion.finishReason,
            usage: completion.usage,
            provider: completion.provider,
            model: completion.model,
            timings: Timings(
                timeToFirstChunkMs: firstChunkAt.map { Milliseconds.of($0 - context.receivedAt) },
                durationMs: Milliseconds.of(now - context.receivedAt)
            ),
            chunks: chunksSent,
            toolCalls: toolCalls.isEmpty ? nil : toolCalls,
            object: object,
            objectError: objectError,
            route: completion.route
        )
        if truncated { result.textTruncated = true }
        result.evaluation = completion.evaluation?.evaluation
        result.evaluationError = completion.evaluation?.error
        result.cache = completion.cache
        result.steps = completion.steps
        return result
    }

    // MARK: - The response cache

    /// Keeps every batch of the answer from now on, up to `limit` bytes (past it, nothing is kept).
    public mutating func startRecording(limit: Int) {
        recording = AnswerRecording(limit: limit)
    }

    /// The batches recorded, or `nil` when the answer outgrew the limit (or nothing was recorded).
    public mutating func takeRecording() -> [CachedAnswer.Batch]? {
        defer { recording = nil }
        guard let recording, !recording.overflowed else { return nil }
        return recording.batches
    }

    /// Sends a stored answer as this request's own, one write per original batch: as fast as the
    /// client reads, or with `pace` at the original offsets. The text, tool calls and parsed object
    /// of the result come from it as from a provider's; the transforms do not run again (it is what
    /// a client already received).
    public mutating func replay(_ batches: [CachedAnswer.Batch], pace context: RequestContext?) async throws {
        let start = ContinuousClock.now
        for batch in batches {
            if let context {
                let due = start + .milliseconds(batch.offsetMs)
                if due > .now, await !context.wait(for: due - .now) {
                    throw RPCError.stopped(context.cancelReason, while: "replaying a cached answer")
                }
            }
            for chunk in batch.chunks {
                switch chunk {
                case .text(let text): try add(text: text)
                case .reasoning(let text): try add(reasoning: text)
                case .toolCall(let call): try keep(toolCall: call)
                case .object(let object): outgoing.append(.object(object))
                }
            }
            try await flushOutgoing(answer: true)
        }
        // The recording holds the final object: the end of the answer adds nothing.
        answerClosed = true
    }

    // MARK: - The chain

    private mutating func transformText(_ piece: String, from start: Int = 0) -> String {
        var piece = piece
        for index in transforms.indices.dropFirst(start) where !piece.isEmpty {
            piece = transforms[index].text(piece)
        }
        return piece
    }

    private mutating func transformReasoning(_ piece: String, from start: Int = 0) -> String {
        var piece = piece
        for index in transforms.indices.dropFirst(start) where !piece.isEmpty {
            piece = transforms[index].reasoning(piece)
        }
        return piece
    }

    private mutating func add(text piece: String) throws {
        guard !piece.isEmpty else { return }
        outgoing.append(.text(piece))
        deliveredBytes = deliveredBytes.addingSaturating(piece.utf8.count)
        guard try keep(piece.utf8.count) else { return }
        text += piece
        structured?.append(piece)
    }

    private mutating func add(reasoning piece: String) throws {
        guard !piece.isEmpty else { return }
        outgoing.append(.reasoning(piece))
        deliveredBytes = deliveredBytes.addingSaturating(piece.utf8.count)
        guard try keep(piece.utf8.count) else { return }
        reasoning += piece
    }

    private mutating func add(toolCall received: ToolCall) throws {
        var call = received
        for index in transforms.indices { call = transforms[index].toolCall(call) }
        try keep(toolCall: call)
    }

    private mutating func keep(toolCall call: ToolCall) throws {
        outgoing.append(.toolCall(call))
        let size = call.arguments.approximateSize
        deliveredBytes = deliveredBytes.addingSaturating(size)
        guard try keep(size) else { return }
        toolCalls.append(call)
    }

    /// Whether `bytes` more of the answer may be kept. Past ``maxAnswerBytes`` a `generate` answer
    /// (which exists only as what is kept) fails; a `stream` answer is marked truncated.
    private mutating func keep(_ bytes: Int) throws -> Bool {
        guard !truncated else { return false }
        let (total, overflow) = answerBytes.addingReportingOverflow(bytes)
        guard overflow || total > maxAnswerBytes else {
            answerBytes = total
            return true
        }
        guard sink.deliversChunks else {
            throw RPCError(
                .upstreamBadResponse,
                "the answer exceeded limits.max_answer_bytes (\(maxAnswerBytes) bytes); it was ended",
                data: ErrorData(type: .upstreamBadResponse, retryable: false)
            )
        }
        truncated = true
        structured = nil
        return false
    }

    private nonisolated(nonsending) mutating func flushOutgoing(answer: Bool) async throws {
        guard !outgoing.isEmpty else { return }
        if answer { recording?.add(outgoing) }
        try await sink.send(outgoing)
        if answer {
            answerDelivered = true
            stepDelivered = true
        }
        if sink.deliversChunks {
            if answer, firstChunkAt == nil { firstChunkAt = .now }
            chunksSent += outgoing.count
        }
        if answer { progress?.delivered(bytes: deliveredBytes, firstChunkAt: firstChunkAt) }
        outgoing.removeAll(keepingCapacity: true)
    }
}

/// The batches of an answer as they went out, bounded in bytes.
struct AnswerRecording {
    let limit: Int
    private(set) var batches: [CachedAnswer.Batch] = []
    private(set) var overflowed = false
    private var bytes = 0
    private var startedAt: ContinuousClock.Instant?

    init(limit: Int) { self.limit = limit }

    mutating func add(_ chunks: [OutgoingChunk]) {
        guard !overflowed else { return }
        let parts = chunks.compactMap(CachedChunk.init)
        guard !parts.isEmpty else { return }
        bytes = parts.reduce(bytes) { $0.addingSaturating($1.size) }
        guard bytes <= limit else {
            overflowed = true
            batches = []
            return
        }
        let now = ContinuousClock.now
        let start = startedAt ?? now
        startedAt = start
        batches.append(CachedAnswer.Batch(offsetMs: Milliseconds.of(now - start), chunks: parts))
    }
}
