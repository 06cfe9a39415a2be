import NeuroLinkHTTP
import NeuroLinkProtocol
import NeuroLinkProviders

/// One upstream call in progress: the transfer, the decoder and what was delivered so far.
struct StreamRun {
    let prepared: PreparedRequest
    let context: RequestContext
    private(set) var text = ""
    private(set) var reasoning = ""
    private(set) var finishReason: FinishReason?
    private(set) var usage: Usage?
    private(set) var reportedModel: String?
    private(set) var toolCalls: [ToolCall] = []
    /// With a `schema`: the answer parsed as it streams, and the last object sent.
    private var objectParser: PartialJSONParser?
    private var lastObject: JSONValue?
    private(set) var chunksSent = 0
    private(set) var deltasReceived = 0
    private(set) var firstChunkAt: ContinuousClock.Instant?
    private var sawHead = false

    /// Most body bytes relayed in one write to the client.
    static let maxBatchBytes = 64 * 1024

    /// Largest error body read from a provider.
    static let maxErrorBody = 64 * 1024

    init(prepared: PreparedRequest, context: RequestContext) {
        self.prepared = prepared
        self.context = context
        if prepared.chat.schema != nil { objectParser = PartialJSONParser() }
    }

    var providerName: String { prepared.provider.config.name }

    mutating func perform(http: CurlLoop, sink: inout some ChunkSink) async throws {
        let adapter = prepared.provider.adapter
        let transfer = try http.start(try adapter.httpRequest(for: prepared.chat, timeouts: prepared.timeouts))
        context.attach(transfer)
        defer {
            context.detach()
            transfer.cancel()  // No-op when finished; aborts the upstream on any early exit.
        }
        guard case .head(let head)? = try await transfer.next() else {
            throw RPCError(.upstreamBadResponse, "\(providerName): the response ended without an HTTP status")
        }
        sawHead = true
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
        outgoing.append(.finish(finishReason ?? .stop, usage))
        try await sink.send(outgoing)
        if sink.deliversChunks { chunksSent += 1 }
    }

    private mutating func relay(_ events: inout [ProviderEvent], _ outgoing: inout [OutgoingChunk],
                                sink: inout some ChunkSink) async throws {
        defer { events.removeAll(keepingCapacity: true) }
        for event in events {
            switch event {
            case .text(let piece):
                text += piece
                deltasReceived += 1
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
        if sink.deliversChunks {
            if firstChunkAt == nil { firstChunkAt = .now }
            chunksSent += outgoing.count
        }
        outgoing.removeAll(keepingCapacity: true)
    }

    func result() -> StreamResult {
        let now = ContinuousClock.now
        let (object, objectError) = structuredOutput()
        return StreamResult(
            text: text, reasoning: reasoning.isEmpty ? nil : reasoning, finishReason: finishReason ?? .stop, usage: usage,
            provider: providerName, model: reportedModel ?? prepared.chat.model,
            timings: Timings(timeToFirstChunkMs: firstChunkAt.map { Self.ms($0 - context.receivedAt) },
                             durationMs: Self.ms(now - context.receivedAt)),
            chunks: chunksSent, toolCalls: toolCalls.isEmpty ? nil : toolCalls, object: object, objectError: objectError,
            route: prepared.route)
    }

    /// The complete answer parsed strictly and checked against the schema. A failure is reported
    /// in `objectError`, never hidden: the text is still returned as the provider sent it.
    private func structuredOutput() -> (JSONValue?, String?) {
        guard let parser = objectParser, let schema = prepared.chat.schema else { return (nil, nil) }
        let value: JSONValue
        do { value = try parser.finalValue() } catch {
            return (nil, "the answer is not a JSON value: \(error)")
        }
        let violations = SchemaValidator.validate(value, against: schema)
        guard !violations.isEmpty else { return (value, nil) }
        return (value, "the answer does not match the schema: " + violations.prefix(10).map(\.description).joined(separator: "; "))
    }

    /// Usage so far: the provider's report, else the deltas received (one token each on every
    /// OpenAI-style stream).
    var usageSoFar: Usage? {
        usage ?? (deltasReceived > 0 ? Usage(inputTokens: 0, outputTokens: deltasReceived) : nil)
    }

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
        if rpc.data.usage == nil { rpc.data.usage = usageSoFar }
        return rpc
    }

    private func map(_ error: TransferError) -> RPCError {
        switch error {
        case .cancelled:
            let reason = context.cancelReason ?? .cancelled
            return RPCError(reason, reason == .shuttingDown ? "the daemon is shutting down" : "the request was cancelled")
        case .shutdown:
            return RPCError(.shuttingDown, "the daemon is shutting down")
        case .timeout(let phase):
            let limits = prepared.timeouts
            let limit: Duration? = switch phase {
            case .connect: limits.connect
            case .firstByte: limits.firstByte
            case .idle: limits.idle
            case .total: limits.total
            }
            let what = switch phase {
            case .connect: "connecting to the provider"
            case .firstByte: "waiting for the first chunk"
            case .idle: "waiting for the next chunk"
            case .total: "the whole request"
            }
            return RPCError(.timeout, "\(providerName): \(phase.rawValue) timeout after \(limit.map { "\($0.milliseconds) ms" } ?? "?") \(what)",
                            data: ErrorData(type: .timeout, retryable: true, timeout: phase.rawValue))
        case .network(_, let message):
            let when = sawHead ? "the connection to the provider failed mid-stream" : "could not reach the provider"
            return RPCError(.upstreamError, "\(providerName): \(when): \(message)", data: ErrorData(type: .upstreamError, retryable: true))
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
