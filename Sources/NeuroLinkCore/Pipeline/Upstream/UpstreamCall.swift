import Logging
import NeuroLinkHTTP
import NeuroLinkLimits
import NeuroLinkProtocol
import NeuroLinkProviders
import NeuroLinkRouting

/// One streamed call to one member: sends the request, reads the status, decodes the body as it
/// arrives and hands the answer's pieces to the ``ResponseOutput``, keeping what the call itself
/// reported (finish reason, usage, model) for the attempt loop.
///
/// A class, owned by one request's task: the attempt's async frame, which lives as long as the
/// stream, then holds one reference instead of copies of the whole call.
final class UpstreamCall {
    let target: RouteTarget
    let context: RequestContext
    /// Sees the response status and headers as soon as they arrive (rate-limit headers).
    var headObserver: (@Sendable (Int, [HTTPHeader]) -> Void)?

    private(set) var finishReason: FinishReason?
    private(set) var usage: Usage?
    private(set) var reportedModel: String?
    /// Text and reasoning deltas received, before any transform.
    private(set) var deltasReceived = 0
    let startedAt = ContinuousClock.now
    /// When the first decoded event arrived (the member's time to first chunk).
    private(set) var firstEventAt: ContinuousClock.Instant?
    private var sawHead = false

    /// Most body bytes decoded and relayed to the client in one write.
    static let maxBatchBytes = 64 * 1024
    /// Largest error body read from a provider.
    static let maxErrorBody = 64 * 1024

    init(target: RouteTarget, context: RequestContext) {
        self.target = target
        self.context = context
    }

    var providerName: String { target.provider.config.name }

    /// Runs the call to its end; throws the provider's error, a transfer error or the output's.
    @inline(never)
    nonisolated(nonsending) func perform(
        _ chat: ChatRequest,
        http: CurlLoop,
        output: inout ResponseOutput
    ) async throws {
        let adapter = target.provider.adapter
        var request = try adapter.httpRequest(for: chat, timeouts: target.timeouts)
        let sentAt = ContinuousClock.now
        defer { context.spentUpstream(since: sentAt) }
        try await adapter.authorize(&request)
        let transfer = try http.start(request)
        context.attach(transfer)
        defer {
            context.detach()
            transfer.cancel()  // No-op when finished; aborts the upstream on any early exit.
        }
        try await readHead(transfer, adapter: adapter)
        var decoder = adapter.makeDecoder()
        var events: [ProviderEvent] = []
        while output.stoppedBy == nil, let event = try await transfer.next() {
            guard case .body(let bytes) = event else { continue }
            try await decodeThenRelay(&events, output: &output) { decoded in
                try decoder.decode(bytes, into: &decoded)
                // What else already arrived goes out in the same write, up to a bound: draining resumes
                // the transfer, so an unbounded drain would bypass the client's back-pressure.
                var batched = bytes.count
                while batched < Self.maxBatchBytes, let more = transfer.nextBufferedBody() {
                    batched += more.count
                    try decoder.decode(more, into: &decoded)
                }
            }
        }
        guard output.stoppedBy == nil else {
            // A content filter ended the answer: the transfer is cancelled on return.
            finishReason = .contentFilter
            return
        }
        try await decodeThenRelay(&events, output: &output) { try decoder.finish(into: &$0) }
    }

    /// Runs `decode`, then relays the events it produced. When decoding fails (a malformed frame,
    /// an error event), the events decoded before the failure are relayed first, then the error is
    /// thrown: the provider did send them, so the client gets them (protocol §11) and the error's
    /// usage counts them, however the bytes happened to be split into reads.
    private nonisolated(nonsending) func decodeThenRelay(
        _ events: inout [ProviderEvent],
        output: inout ResponseOutput,
        _ decode: (inout [ProviderEvent]) throws -> Void
    ) async throws {
        do {
            try decode(&events)
        } catch {
            try await relay(&events, output: &output)
            throw error
        }
        try await relay(&events, output: &output)
    }

    /// Reads the status; a non-2xx answer becomes the adapter's error from the body's start.
    private nonisolated(nonsending) func readHead(_ transfer: HTTPTransfer, adapter: any ProviderAdapter) async throws {
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
    }

    private nonisolated(nonsending) func relay(
        _ events: inout [ProviderEvent],
        output: inout ResponseOutput
    ) async throws {
        guard !events.isEmpty else { return }
        defer { events.removeAll(keepingCapacity: true) }
        if firstEventAt == nil { firstEventAt = .now }
        for event in events {
            switch event {
            case .text, .reasoning: deltasReceived += 1
            case .finish(let reason): finishReason = reason
            case .usage(let reported): usage = reported
            case .model(let model): reportedModel = model
            case .toolCall: break
            }
        }
        try await output.deliver(events)
    }

    /// Usage so far: the provider's report, else the deltas received (one token each on every
    /// OpenAI-style stream).
    var usageSoFar: Usage? {
        usage ?? (deltasReceived > 0 ? Usage(inputTokens: 0, outputTokens: deltasReceived) : nil)
    }

    /// The protocol error a failed call ends with, with secrets scrubbed from its message.
    /// Out of line: inlined, its temporaries would enlarge the async frame of every attempt.
    @inline(never)
    func failure(_ error: any Error, secrets: [Secret]) -> RPCError {
        var rpc: RPCError
        switch error {
        case let error as RPCError:
            rpc = error
        case let error as TransferError:
            rpc = TransferFailure.map(
                error,
                timeouts: target.timeouts,
                provider: providerName,
                cancelReason: context.cancelReason,
                midStream: sawHead
            )
        default:
            // The sink failed: the client is gone. Nobody will read this, but it is recorded.
            context.clientGone()
            rpc = RPCError(context.cancelReason ?? .cancelled, "the client connection closed")
        }
        rpc.message = Redaction.scrub(rpc.message, secrets: secrets)
        if rpc.data.provider == nil, rpc.type != .cancelled {
            rpc.data.provider = providerName
        }
        return rpc
    }
}
