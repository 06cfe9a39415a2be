import NeuroLinkHTTP
import NeuroLinkProtocol
import NeuroLinkProviders

/// One request's upstream calls in progress: each attempt's transfer and decoder, and what was
/// delivered to the client across attempts.
struct StreamRun {
    let context: RequestContext
    let schema: JSONValue?
    /// The member of the current attempt.
    private(set) var target: RouteTarget
    private(set) var text = ""
    private(set) var reasoning = ""
    private(set) var toolCalls: [ToolCall] = []
    /// With a `schema`: the answer parsed as it streams, and the last object sent.
    private var objectParser: PartialJSONParser?
    private var lastObject: JSONValue?
    private(set) var chunksSent = 0
    private(set) var firstChunkAt: ContinuousClock.Instant?
    /// Whether any part of the answer (not just notices) reached the client.
    private(set) var answerDelivered = false
    /// Usage of earlier attempts whose text was kept (a continued answer).
    private var carriedUsage: Usage?
    /// Set while an attempt continues an answer that another member began.
    private var seam: SeamGuard?

    // Per attempt.
    private(set) var finishReason: FinishReason?
    private(set) var usage: Usage?
    private(set) var reportedModel: String?
    private(set) var deltasReceived = 0
    private(set) var attemptStartedAt = ContinuousClock.now
    /// When the current attempt's first delta arrived (the member's time to first chunk).
    private(set) var attemptFirstDeltaAt: ContinuousClock.Instant?
    private var sawHead = false

    /// Sees each attempt's response status and headers as soon as they arrive (rate-limit headers).
    var headObserver: (@Sendable (Int, [HTTPHeader]) -> Void)?

    /// Most body bytes relayed in one write to the client.
    static let maxBatchBytes = 64 * 1024

    /// Largest error body read from a provider.
    static let maxErrorBody = 64 * 1024

    init(target: RouteTarget, schema: JSONValue?, context: RequestContext) {
        self.target = target
        self.schema = schema
        self.context = context
        if schema != nil { objectParser = PartialJSONParser() }
    }

    var providerName: String { target.provider.config.name }

    /// Starts a new attempt on `target`. With `continuing`, the answer delivered so far is kept and
    /// the new member's output is appended after it; otherwise nothing had been delivered.
    mutating func beginAttempt(on target: RouteTarget, continuing: Bool) {
        if continuing {
            carriedUsage = Self.sum(carriedUsage, usageSoFar)
            seam = SeamGuard(delivered: text)
        }
        self.target = target
        finishReason = nil
        usage = nil
        reportedModel = nil
        deltasReceived = 0
        sawHead = false
        attemptStartedAt = .now
        attemptFirstDeltaAt = nil
    }

    mutating func perform(_ chat: ChatRequest, http: CurlLoop, sink: inout some ChunkSink) async throws {
        let adapter = target.provider.adapter
        var request = try adapter.httpRequest(for: chat, timeouts: target.timeouts)
        try await adapter.authorize(&request)
        let transfer = try http.start(request)
        context.attach(transfer)
        defer {
            context.detach()
            transfer.cancel()  // No-op when finished; aborts the upstream on any early exit.
        }
        guard case .head(let head)? = try await transfer.next() else {
            throw RPCError(.upstreamBadResponse, "\(providerName): the response ended without an HTTP status")
        }
        sawHead = true
        headObserver?(head.status, head.headers)
        guard (200..<300).contains(head.status) else {
            var body: [UInt8] = []
            while body.count < Self.maxErrorBody, case .body(let piece)? = try await transfer.next() { body += piece }
            throw adapter.error(status: head.status, headers: head.headers, body: body)
        }
        var decoder = adapter.makeDecoder()
        var events: [ProviderEvent] = []
        var outgoing: [OutgoingChunk] = []
        while let event = try await transfer.next() {
            guard case .body(let bytes) = event else { continue }
            try decoder.decode(bytes, into: &events)
            // What else already arrived goes out in the same write, up to a bound: draining resumes
            // the transfer, so an unbounded drain would bypass the client's back-pressure.
            var batched = bytes.count
            while batched < Self.maxBatchBytes, let more = transfer.nextBufferedBody() {
                batched += more.count
                try decoder.decode(more, into: &events)
            }
            try await relay(&events, &outgoing, sink: &sink)
        }
        try decoder.finish(into: &events)
        try await relay(&events, &outgoing, sink: &sink)
        _ = seam?.finish()
        outgoing.append(.finish(finishReason ?? .stop, Self.sum(carriedUsage, usage)))
        try await sink.send(outgoing)
        if sink.deliversChunks { chunksSent += 1 }
    }

    /// Sends a notice (retry, failover) to the client; it does not count as part of the answer.
    mutating func notify(_ notice: Notice, sink: inout some ChunkSink) async throws {
        try await sink.send([.notice(notice)])
        if sink.deliversChunks { chunksSent += 1 }
    }

    private mutating func relay(
        _ events: inout [ProviderEvent],
        _ outgoing: inout [OutgoingChunk],
        sink: inout some ChunkSink
    ) async throws {
        defer { events.removeAll(keepingCapacity: true) }
        if attemptFirstDeltaAt == nil, !events.isEmpty { attemptFirstDeltaAt = .now }
        for event in events {
            switch event {
            case .text(let received):
                deltasReceived += 1
                let piece = seam == nil ? received : seam?.admit(received) ?? received
                guard !piece.isEmpty else { continue }
                text += piece
                outgoing.append(.text(piece))
                objectParser?.append(piece)
            case .reasoning(let piece):
                reasoning += piece
                deltasReceived += 1
                outgoing.append(.reasoning(piece))
            case .finish(let reason): finishReason = reason
            case .usage(let reported): usage = reported
            case .model(let model): reportedModel = model
            case .toolCall(let call):
                toolCalls.append(call)
                outgoing.append(.toolCall(call))
            }
        }
        // One `object` chunk per batch, and only when the parsed object grew.
        if let current = objectParser?.current, current != lastObject {
            lastObject = current
            outgoing.append(.object(current))
        }
        guard !outgoing.isEmpty else { return }
        try await sink.send(outgoing)
        answerDelivered = true
        if sink.deliversChunks {
            if firstChunkAt == nil { firstChunkAt = .now }
            chunksSent += outgoing.count
        }
        outgoing.removeAll(keepingCapacity: true)
    }

    func result(route: RouteInfo) -> StreamResult {
        let now = ContinuousClock.now
        let (object, objectError) = structuredOutput()
        return StreamResult(
            text: text,
            reasoning: reasoning.isEmpty ? nil : reasoning,
            finishReason: finishReason ?? .stop,
            usage: Self.sum(carriedUsage, usage),
            provider: providerName,
            model: reportedModel ?? target.model,
            timings: Timings(
                timeToFirstChunkMs: firstChunkAt.map { Self.ms($0 - context.receivedAt) },
                durationMs: Self.ms(now - context.receivedAt)
            ),
            chunks: chunksSent,
            toolCalls: toolCalls.isEmpty ? nil : toolCalls,
            object: object,
            objectError: objectError,
            route: route
        )
    }

    /// The sum of two usages, when there is any.
    static func sum(_ first: Usage?, _ second: Usage?) -> Usage? {
        guard let first else { return second }
        guard let second else { return first }
        return Usage(
            inputTokens: first.inputTokens &+ second.inputTokens,
            outputTokens: first.outputTokens &+ second.outputTokens,
            cachedInputTokens: Self.sum(first.cachedInputTokens, second.cachedInputTokens),
            reasoningTokens: Self.sum(first.reasoningTokens, second.reasoningTokens)
        )
    }

    private static func sum(_ first: Int?, _ second: Int?) -> Int? {
        first.map { $0 &+ (second ?? 0) } ?? second
    }

    /// The complete answer parsed strictly and checked against the schema. A failure is reported
    /// in `objectError`, never hidden: the text is still returned as the provider sent it.
    private func structuredOutput() -> (JSONValue?, String?) {
        guard let parser = objectParser, let schema else { return (nil, nil) }
        let value: JSONValue
        do { value = try parser.finalValue() } catch {
            return (nil, "the answer is not a JSON value: \(error)")
        }
        let violations = SchemaValidator.validate(value, against: schema)
        guard !violations.isEmpty else { return (value, nil) }
        return (
            value,
            "the answer does not match the schema: " + violations.prefix(10).map(\.description).joined(separator: "; ")
        )
    }

    /// Usage so far: the provider's report, else the deltas received (one token each on every
    /// OpenAI-style stream).
    var usageSoFar: Usage? {
        usage ?? (deltasReceived > 0 ? Usage(inputTokens: 0, outputTokens: deltasReceived) : nil)
    }

    /// Usage of every attempt whose output reached the client, for a failure's `data.usage`.
    var deliveredUsage: Usage? { Self.sum(carriedUsage, usageSoFar) }

    func failure(_ error: any Error, secrets: [Secret]) -> RPCError {
        var rpc: RPCError
        switch error {
        case let error as RPCError:
            rpc = error
        case let error as TransferError:
            rpc = map(error)
        default:
            // The sink failed: the client is gone. Nobody will read this, but it is recorded.
            rpc = RPCError(context.cancelReason ?? .cancelled, "the client connection closed")
        }
        rpc.message = Redaction.scrub(rpc.message, secrets: secrets)
        if rpc.data.provider == nil, rpc.type != .cancelled { rpc.data.provider = providerName }
        if rpc.data.usage == nil { rpc.data.usage = deliveredUsage }
        return rpc
    }

    private func map(_ error: TransferError) -> RPCError {
        switch error {
        case .cancelled:
            let reason = context.cancelReason ?? .cancelled
            return RPCError(
                reason,
                reason == .shuttingDown ? "the daemon is shutting down" : "the request was cancelled"
            )
        case .shutdown:
            return RPCError(.shuttingDown, "the daemon is shutting down")
        case .timeout(let phase):
            let limits = target.timeouts
            let limit: Duration? =
                switch phase {
                case .connect: limits.connect
                case .firstByte: limits.firstByte
                case .idle: limits.idle
                case .total: limits.total
                }
            let what =
                switch phase {
                case .connect: "connecting to the provider"
                case .firstByte: "waiting for the first chunk"
                case .idle: "waiting for the next chunk"
                case .total: "the whole request"
                }
            return RPCError(
                .timeout,
                "\(providerName): \(phase.rawValue) timeout after \(limit.map { "\($0.milliseconds) ms" } ?? "?") \(what)",
                data: ErrorData(type: .timeout, retryable: true, timeout: phase.rawValue, failureClass: .timeout)
            )
        case .paused(let limit):
            // The client stalled, not the provider: not retried or failed over (another attempt
            // would stall the same way), and a class that does not count against the member.
            return RPCError(
                .timeout,
                "\(providerName): the client read nothing for \(limit.milliseconds) ms; the stream was ended",
                data: ErrorData(
                    type: .timeout,
                    retryable: false,
                    timeout: "paused",
                    failureClass: .client
                )
            )
        case .network(_, let message):
            let when = sawHead ? "the connection to the provider failed mid-stream" : "could not reach the provider"
            return RPCError(
                .upstreamError,
                "\(providerName): \(when): \(message)",
                data: ErrorData(type: .upstreamError, retryable: true, failureClass: .network)
            )
        }
    }

    static func ms(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return (Double(seconds) * 1000 + Double(attoseconds) / 1e15).rounded(toPlaces: 3)
    }
}

extension Double {
    fileprivate func rounded(toPlaces places: Int) -> Double {
        var scale = 1.0
        for _ in 0..<places { scale *= 10 }
        return (self * scale).rounded() / scale
    }
}
