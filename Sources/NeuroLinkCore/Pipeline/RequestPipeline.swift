import Logging
import NeuroLinkHTTP
import NeuroLinkLimits
import NeuroLinkProtocol
import NeuroLinkProviders
import NeuroLinkRouting

/// One configuration generation of the request pipeline: its providers, its routing state and
/// its ordered stages. A reload builds a new one; requests keep the one they started with.
///
/// The stages, outermost first (docs/architecture.md keeps this list):
/// 1. ``ValidateStage`` — resolve the pool (or provider) and build the conversation.
/// 2. ``MemoryStage`` — with a session: its history before the request, the new turn kept after.
/// 3. ``SecurityStage`` — policy, input limits, prompt-injection detection, input redaction; output
///    redaction and content filters into the transform chain.
/// 4. ``EvaluationStage`` — with `enableEvaluation`, a judge model scores the answer the rest made.
/// 5. ``CacheStage`` — answer from the response cache, or store the answer the rest made.
/// 6. ``ToolLoopStage`` — with tools the daemon runs: one pass through the rest per model turn.
/// 7. ``AdmissionStage`` — rate, token and in-flight limits; the admission queue.
/// 8. ``AttemptStage`` — route to a member, stream from it, retry and fail over.
///
/// The runner (``RequestRunner``) registers the request before the stages, and makes the one
/// `finish` chunk, the result and the record after them.
public final class RequestPipeline: Sendable {
    public let config: DaemonConfig
    public let registry: ProviderRegistry
    public let router: Router
    public let http: CurlLoop
    /// Rate limits and the admission queue; one for the daemon's lifetime, shared by every
    /// configuration generation.
    public let admission: AdmissionController
    /// The stages, in order.
    public var stages: [any RequestStage] { chain.stages }
    private let chain: StageChain
    /// Model prices: the shipped table under the configuration's `pricing:` entries.
    public let pricing: PricingTable
    /// The tools the daemon runs itself.
    public let tools: ToolCatalog
    let logger: Logger

    /// - Parameter previous: the generation this one replaces on a reload; the routing state of
    ///   every pool member whose definition did not change is carried over from it.
    public init(
        config: DaemonConfig,
        http: CurlLoop,
        admission: AdmissionController? = nil,
        previous: RequestPipeline? = nil,
        cache: (any ResponseCacheStore)? = nil,
        memory: (any ConversationMemoryStore)? = nil,
        externalTools: (any ExternalToolSource)? = nil,
        logger: Logger = Logger(label: "neurolink.pipeline")
    ) {
        let registry = ProviderRegistry(config: config, http: http)
        let router = Router(config: config, registry: registry, previous: previous?.router)
        let admission = admission ?? AdmissionController(config: config.rateLimits.resolved())
        let members = MemberAdmission(controller: admission)
        self.config = config
        self.registry = registry
        self.router = router
        self.http = http
        self.admission = admission
        self.logger = logger
        pricing = .shipped(overrides: config.pricing)
        tools = ToolCatalog(config.tools, external: externalTools)
        let validate = ValidateStage(providers: registry, router: router)
        let upstream: [any RequestStage] = [
            AdmissionStage(admission: members),
            AttemptStage(router: router, admission: members, http: http, secrets: registry.secrets, logger: logger),
        ]
        let sideChain = StageChain(stages: [validate] + upstream)
        let evaluation = EvaluationStage(judging: sideChain, settings: config.evaluation)
        let security = SecurityStage(
            security: config.security,
            engine: SecurityEngine(config.security),
            classifier: InjectionClassifier(
                side: SideRequest(chain: sideChain, maxAnswerBytes: EvaluationStage.maxJudgeAnswerBytes)
            )
        )
        let cached = CacheStage(store: cache, settings: config.cache, pricing: pricing)
        let toolLoop = ToolLoopStage(
            catalog: tools,
            settings: config.tools,
            security: config.security,
            engine: security.engine
        )
        let remembered = MemoryStage(store: memory, settings: config.memory, logger: logger)
        chain = StageChain(stages: [validate, remembered, security, evaluation, cached, toolLoop] + upstream)
    }

    /// Runs `request` through every stage.
    public func run(_ request: inout PipelineRequest, _ output: inout ResponseOutput) async -> StageResult {
        await chain.run(&request, &output)
    }
}
