import NeuroLinkHTTP
import NeuroLinkLimits
import NeuroLinkProtocol
import NeuroLinkProviders

/// The daemon's whole configuration, after defaults, the YAML file and `NEUROLINK_*` overrides.
/// The reference is `docs/configuration.md`.
public struct DaemonConfig: Sendable {
    public var server = Server()
    public var logging = Logging()
    public var timeouts = Timeouts()
    public var defaults = Defaults()
    public var providers: [ProviderConfig] = []
    public var routing = Routing()
    public var pools: [Pool] = []
    /// `rate_limits:` as written; `rateLimits.resolved()` gives the limits in force (none by default).
    public var rateLimits = RateLimitSettings()
    public var limits = Limits()
    /// `analytics:`: the request store.
    public var analytics = Analytics()
    /// `metrics:`: the Prometheus listener.
    public var metrics = Metrics()
    /// `alerts:`: rules, their evaluation interval and the webhook.
    public var alerts = Alerts()
    /// `evaluation:`: the judge of `enableEvaluation`.
    public var evaluation = Evaluation()
    /// `cache:`: the response cache.
    public var cache = Cache()
    /// `security:`: input limits, injection detection, redaction, filters, policies, audit.
    public var security = Security()
    /// `tools:`: the built-in tools.
    public var tools = Tools()
    public var memory = Memory()
    public var http = HTTPFront()
    /// `pricing:`: model prices (by model id or id prefix) over the shipped table.
    public var pricing: [String: ModelPrice] = [:]
    /// The file this was read from; `nil` when built from the environment alone.
    public var sourcePath: String?

    public init() {}

    public struct Server: Sendable, Hashable {
        /// Explicit socket path; `nil` means the default for the user (see `SocketPaths`).
        public var socketPath: String?
        public var socketMode: UInt16 = 0o660
        public var maxFrameBytes = ProtocolInfo.defaultMaxFrameBytes
        public var drainTimeoutMs = 20_000
        /// Bytes buffered per stream for a slow client before the upstream transfer is paused.
        public var streamBufferBytes = 256 * 1024
        /// Bytes all streams together may buffer for slow clients; past it the heaviest are paused.
        public var streamMemoryBudgetBytes = 64 << 20
        /// Longest an upstream transfer may stay paused for its client before the stream is ended;
        /// 0: without limit.
        public var maxPausedMs = 120_000
        /// Most client connections open at once, and per peer uid; past them new ones are refused.
        public var maxConnections = 4096
        public var maxConnectionsPerUid = 1024
        /// Most requests running at once on one connection, and for one tenant.
        public var maxRequestsPerConnection = 256
        public var maxRequestsPerTenant = 512
        /// A frame whose announced bytes stop arriving for this long closes its connection.
        public var frameReadTimeoutMs = 10_000
        /// Members of this group (and root) are admins: `status` shows them every tenant.
        public var adminGroup: String?
        public init() {}

        /// ``maxPausedMs`` as the HTTP engine takes it.
        public var maxPaused: Duration? { maxPausedMs > 0 ? .milliseconds(maxPausedMs) : nil }

        /// The caps on running requests.
        public var requestLimits: RunningRequests.Limits {
            RunningRequests.Limits(perScope: maxRequestsPerConnection, perTenant: maxRequestsPerTenant)
        }
    }

    /// Bounds on what one request may make the daemon hold.
    public struct Limits: Sendable, Hashable {
        /// Most bytes of text, reasoning and tool-call arguments accumulated for one answer.
        public var maxAnswerBytes = ResponseOutput.defaultMaxAnswerBytes
        public init() {}
    }

    public struct Logging: Sendable, Hashable {
        public var level = "info"
        public init() {}
        public static let levels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]
    }

    /// Limits on each phase of an upstream request, in milliseconds; 0 disables one.
    public struct Timeouts: Sendable, Hashable {
        public var connectMs = 10_000
        public var firstChunkMs = 60_000
        public var idleMs = 60_000
        public var totalMs = 600_000
        public init() {}

        /// The transfer limits for one request; a request's own `timeoutMs` replaces the total.
        public func transferTimeouts(requestTotalMs: Int?) -> TransferTimeouts {
            func duration(_ ms: Int) -> Duration? { ms > 0 ? .milliseconds(ms) : nil }
            return TransferTimeouts(
                connect: duration(connectMs),
                firstByte: duration(firstChunkMs),
                idle: duration(idleMs),
                total: duration(requestTotalMs ?? totalMs)
            )
        }
    }

    public struct Defaults: Sendable, Hashable {
        public var provider = "auto"
        public var model: String?
        public var maxTokens: Int? = 1000
        public var temperature: Double? = 0.7
        public init() {}
    }
}

/// Where a provider's credential comes from.
public enum CredentialSource: Sendable, Hashable, CustomStringConvertible {
    case environment(String)
    case file(String)
    /// A systemd credential (`$CREDENTIALS_DIRECTORY/NAME`); the name, never the value.
    case credential(String)
    case inline
    /// AWS credentials (Bedrock): `aws:env` or `aws:profile:NAME`, never the keys.
    case aws(AWSCredentials.Source)
    case none

    public var description: String {
        switch self {
        case .environment(let name): "env:\(name)"
        case .file(let path): "file:\(path)"
        case .credential(let name): "credential:\(name)"
        case .inline: "inline"
        case .aws(let source): source.description
        case .none: "none"
        }
    }
}

/// One `providers:` entry.
public struct ProviderConfig: Sendable, Hashable {
    public var name: String
    public var type: ProviderType
    public var baseURL: String
    public var credentialSource: CredentialSource
    /// The credential, resolved at load time; `nil` when none is configured or it was not found.
    public var apiKey: Secret?
    public var defaultModel: String?
    public var headers: [HTTPHeader]
    /// Per-provider overrides of the global timeouts.
    public var timeouts: DaemonConfig.Timeouts?
    /// Type-specific settings (`api_version`, `deployment`, ...).
    public var options: [String: String]
    /// The OpenAI-compatible preset this provider was configured from (`groq`, `mistral`, ...).
    public var preset: String?
    /// AWS credentials for Bedrock, resolved at load time like ``apiKey``.
    public var awsCredentials: AWSCredentials?

    public init(
        name: String,
        type: ProviderType,
        baseURL: String,
        credentialSource: CredentialSource = .none,
        apiKey: Secret? = nil,
        defaultModel: String? = nil,
        headers: [HTTPHeader] = [],
        timeouts: DaemonConfig.Timeouts? = nil,
        options: [String: String] = [:],
        preset: String? = nil,
        awsCredentials: AWSCredentials? = nil
    ) {
        self.options = options
        self.awsCredentials = awsCredentials
        self.preset = preset
        self.name = name
        self.type = type
        self.baseURL = baseURL
        self.credentialSource = credentialSource
        self.apiKey = apiKey
        self.defaultModel = defaultModel
        self.headers = headers
        self.timeouts = timeouts
    }

    public var endpoint: ProviderEndpoint {
        ProviderEndpoint(
            name: name,
            type: type,
            baseURL: baseURL,
            apiKey: apiKey,
            defaultModel: defaultModel,
            headers: headers,
            options: options,
            awsCredentials: awsCredentials
        )
    }

    /// Whether a credential was found: an API key or AWS credentials.
    public var hasCredentials: Bool { apiKey != nil || awsCredentials != nil }

    /// The credentials to scrub from any text that leaves the daemon.
    public var secrets: [Secret] {
        [apiKey, awsCredentials?.secretAccessKey, awsCredentials?.sessionToken].compactMap { $0 }
    }

    /// Whether the provider can be called: it has its credential, or its type needs none.
    public var isUsable: Bool {
        if hasCredentials { return true }
        guard type.credentialOptional else { return false }
        if let preset = preset.flatMap(ProviderCatalog.preset(named:)) { return preset.keyOptional }
        return credentialSource == .none
    }
}
