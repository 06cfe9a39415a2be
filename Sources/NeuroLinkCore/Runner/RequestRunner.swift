import Logging
import NeuroLinkHTTP
import NeuroLinkLimits
import NeuroLinkProtocol
import NeuroLinkProviders
import NeuroLinkRouting
import Synchronization

/// The one entry point every transport uses to run a `stream` or `generate` request: the Unix
/// socket today, an HTTP front later. A transport decodes, calls ``start(id:method:caller:scope:userId:)``
/// then ``run(_:context:sink:)``, and encodes what comes back; everything else happens here.
///
/// A request's life: registered (drain, duplicate id, per-connection and per-tenant caps) → the
/// pipeline's stages (see ``RequestPipeline``) → its one `finish` chunk and result → one
/// ``RequestRecord`` to every recorder → unregistered.
public final class RequestRunner: Sendable {
    public let http: CurlLoop
    /// Rate limits and the admission queue, kept across reloads.
    public let admission: AdmissionController
    public let requests: RunningRequests
    public let stats = DaemonStats()
    let recorders: [any RequestRecorder]
    let logger: Logger
    /// The response cache every configuration generation uses; `nil` without one.
    let cache: (any ResponseCacheStore)?
    /// Conversation memory every configuration generation uses; `nil` without one.
    let memory: (any ConversationMemoryStore)?
    /// MCP servers' tools, for every configuration generation; `nil` without any.
    let externalTools: (any ExternalToolSource)?
    private let generation: Mutex<RequestPipeline>

    public init(
        config: DaemonConfig,
        http: CurlLoop,
        logger: Logger,
        recorders: [any RequestRecorder]? = nil,
        cache: (any ResponseCacheStore)? = nil,
        memory: (any ConversationMemoryStore)? = nil,
        externalTools: (any ExternalToolSource)? = nil
    ) {
        self.externalTools = externalTools
        self.http = http
        self.logger = logger
        self.cache = cache
        self.memory = memory
        let admission = AdmissionController(config: config)
        self.admission = admission
        requests = RunningRequests(limits: config.server.requestLimits)
        self.recorders = [stats] + (recorders ?? [LogRecorder(logger: logger)])
        generation = Mutex(
            RequestPipeline(
                config: config,
                http: http,
                admission: admission,
                cache: cache,
                memory: memory,
                externalTools: externalTools,
                logger: logger
            )
        )
    }

    /// The configuration generation new requests run on.
    public var current: RequestPipeline { generation.withLock { $0 } }

    /// Installs a reloaded configuration: requests already running keep the pipeline they started
    /// with; routing and limiter state of everything that did not change carries over.
    public func install(_ config: DaemonConfig) async {
        await admission.update(config: config)
        generation.withLock { current in
            current = RequestPipeline(
                config: config,
                http: http,
                admission: admission,
                previous: current,
                cache: cache,
                memory: memory,
                externalTools: externalTools,
                logger: logger
            )
        }
    }

    /// The caller with its tenant resolved: configuration maps uids, user names and groups to
    /// tenants; `userId` (the request's `context.userId`) becomes a sub-key when configured.
    public func resolveTenant(of caller: Caller, userId: String?) -> Caller {
        guard let uid = caller.uid, let gid = caller.gid else { return caller }
        var resolved = caller
        resolved.tenant = admission.tenant(uid: uid, gid: gid, username: caller.username, userId: userId)
        return resolved
    }

    /// Registers a request about to run; throws when it may not (see ``RunningRequests``). Every
    /// registered request must end with ``run(_:context:sink:)`` or ``finish(_:)``.
    public func start(
        id: RPCID,
        method: String,
        caller: Caller,
        scope: RequestScope,
        userId: String? = nil
    ) throws(RPCError) -> RequestContext {
        try requests.register(id: id, method: method, caller: resolveTenant(of: caller, userId: userId), scope: scope)
    }

    /// Ends a registered request that did not go through ``run(_:context:sink:)``.
    public func finish(_ context: RequestContext) {
        requests.finish(context)
    }

    /// Runs a registered `stream` or `generate` request to its end: the answer's chunks go to
    /// `sink` as they arrive, then its final result or error (``ChunkSink/respond(_:)``), which is
    /// also returned. `transforms` run on the answer after the pipeline's own.
    public func run(
        _ params: StreamRequest,
        context: RequestContext,
        sink: some ChunkSink,
        transforms: [any StreamTransform] = []
    ) async -> Result<StreamResult, RPCError> {
        defer { requests.finish(context) }
        let pipeline = current
        var request = PipelineRequest(context: context, params: params)
        var output = begin(params, context: context, sink: sink, transforms: transforms, pipeline: pipeline)
        let outcome = await pipeline.run(&request, &output)
        return await conclude(outcome, request: request, output: &output, pipeline: pipeline)
    }

    /// The request's output, once it is counted and its prompt traced. The work before and after
    /// the pipeline is kept out of line: an async function's frame holds every value any part of it
    /// uses for as long as the stream runs (docs/architecture.md, "Memory of an open stream").
    @inline(never)
    private func begin(
        _ params: StreamRequest,
        context: RequestContext,
        sink: some ChunkSink,
        transforms: [any StreamTransform],
        pipeline: RequestPipeline
    ) -> ResponseOutput {
        stats.requestStarted()
        // Never for a tenant whose text is redacted: the log must not hold what redaction hides.
        if logger.logLevel <= .trace {
            let redaction = pipeline.config.security.rules(for: context.caller).redaction
            if !redaction.input, !redaction.output {
                logger.trace("prompt", metadata: ["request_id": "\(context.id)", "params": "\(params)"])
            }
        }
        let interval = Duration.milliseconds(pipeline.config.analytics.streamIntervalMs)
        return ResponseOutput(
            sink: sink,
            schema: params.schema,
            transforms: transforms,
            maxAnswerBytes: pipeline.config.limits.maxAnswerBytes,
            liveAnalytics: params.enableAnalytics == true ? (context.receivedAt, interval) : nil,
            progress: context.progress
        )
    }

    /// The request's one `finish` chunk and result (or error) sent, and its record to every recorder.
    @inline(never)
    private func conclude(
        _ outcome: StageResult,
        request: PipelineRequest,
        output: inout ResponseOutput,
        pipeline: RequestPipeline
    ) async -> Result<StreamResult, RPCError> {
        let result = await complete(outcome, request: request, output: &output, pricing: pipeline.pricing)
        await output.respond(result)
        var record = RequestRecord(request, output: output, result: result)
        record.cost = record.model.flatMap { pipeline.pricing.cost(of: record.usage, model: $0) }
        if case .success(let completion) = outcome, case .success = result { record.evaluation = completion.evaluation }
        for recorder in recorders { recorder.record(record) }
        return result
    }

    /// The request's one `finish` chunk and its result, or its error. Usage the provider did not
    /// report is estimated (``UsageEstimate``) before either is made.
    private func complete(
        _ outcome: StageResult,
        request: PipelineRequest,
        output: inout ResponseOutput,
        pricing: PricingTable
    ) async -> Result<StreamResult, RPCError> {
        let context = request.context
        switch outcome {
        case .success(var completion):
            completion.usage = UsageEstimate.filling(
                completion.usage,
                promptBytes: request.prepared?.promptBytes ?? 0,
                answerBytes: output.deliveredBytes
            )
            do {
                try await output.finish(completion)
            } catch {
                return .failure(context.failedDelivery(error))
            }
            var result = output.result(completion, context: context)
            result.cost = pricing.cost(of: result.usage, model: result.model)
            if request.params.enableAnalytics == true { result.analytics = ResultAnalytics(result) }
            return .success(result)
        case .failure(let error):
            return .failure(error)
        }
    }
}
