/// Result of `status`.
public struct StatusResult: Sendable, Hashable, Codable {
    public var version: String
    public var protocolVersion: String
    public var pid: Int
    public var uptimeSeconds: Double
    public var socketPath: String
    /// The configuration file in use, or `nil` when running on environment defaults.
    public var configPath: String?
    public var providers: [ProviderStatus]
    public var defaultProvider: String?
    public var activeStreams: Int
    public var activeConnections: Int
    public var totals: Totals
    public var lastReload: ReloadStatus?

    public init(
        version: String, protocolVersion: String, pid: Int, uptimeSeconds: Double, socketPath: String,
        configPath: String?, providers: [ProviderStatus], defaultProvider: String?, activeStreams: Int,
        activeConnections: Int, totals: Totals, lastReload: ReloadStatus?
    ) {
        self.version = version
        self.protocolVersion = protocolVersion
        self.pid = pid
        self.uptimeSeconds = uptimeSeconds
        self.socketPath = socketPath
        self.configPath = configPath
        self.providers = providers
        self.defaultProvider = defaultProvider
        self.activeStreams = activeStreams
        self.activeConnections = activeConnections
        self.totals = totals
        self.lastReload = lastReload
    }
}

/// One configured provider as `status` shows it. Never carries a credential.
public struct ProviderStatus: Sendable, Hashable, Codable {
    public var name: String
    public var type: String
    /// Host (and port) of the base URL.
    public var host: String
    /// Whether a credential is configured and was found.
    public var hasCredentials: Bool
    /// Where the credential comes from: `env:NAME`, `file:PATH` or `none`. Never the value.
    public var credentialSource: String
    public var defaultModel: String?

    public init(
        name: String, type: String, host: String, hasCredentials: Bool, credentialSource: String, defaultModel: String?
    ) {
        self.name = name
        self.type = type
        self.host = host
        self.hasCredentials = hasCredentials
        self.credentialSource = credentialSource
        self.defaultModel = defaultModel
    }
}

/// Counters since the daemon started.
public struct Totals: Sendable, Hashable, Codable {
    public var requests: Int
    public var succeeded: Int
    public var failed: Int
    public var cancelled: Int
    public var chunks: Int
    public var inputTokens: Int
    public var outputTokens: Int

    public init(
        requests: Int = 0, succeeded: Int = 0, failed: Int = 0, cancelled: Int = 0, chunks: Int = 0,
        inputTokens: Int = 0, outputTokens: Int = 0
    ) {
        self.requests = requests
        self.succeeded = succeeded
        self.failed = failed
        self.cancelled = cancelled
        self.chunks = chunks
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
    }
}

/// The outcome of the last configuration reload.
public struct ReloadStatus: Sendable, Hashable, Codable {
    /// Seconds since the Unix epoch.
    public var at: Double
    public var ok: Bool
    public var message: String?

    public init(at: Double, ok: Bool, message: String?) {
        self.at = at
        self.ok = ok
        self.message = message
    }
}
