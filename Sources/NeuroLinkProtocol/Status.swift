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
    /// How the daemon runs under systemd; `nil` from daemons that predate the field.
    public var systemd: SystemdStatus?
    /// Configured pools first, then the pools of one that requests have used.
    public var pools: [PoolStatus]?
    public var retryBudget: RetryBudgetStatus?
    /// Buffered stream data against the daemon-wide budget.
    public var streamBuffers: StreamBufferStatus?
    /// Rate limits, in-flight limits, provider-reported limits and the admission queue; `nil` from
    /// daemons that predate the field.
    public var limits: LimitsStatus?
    /// The analytics store; `nil` from daemons that predate the field.
    public var analytics: AnalyticsStatus?
    /// Every configured alert rule and its state; `nil` from daemons that predate the field.
    public var alerts: [AlertStatus]?
    /// The response cache's figures; `nil` when it is disabled or from daemons that predate it.
    public var cache: CacheStats?
    /// The MCP servers of `tools.mcp_servers` and their states; absent without any.
    public var mcp: [MCPServerStatus]?

    public init(
        version: String,
        protocolVersion: String,
        pid: Int,
        uptimeSeconds: Double,
        socketPath: String,
        configPath: String?,
        providers: [ProviderStatus],
        defaultProvider: String?,
        activeStreams: Int,
        activeConnections: Int,
        totals: Totals,
        lastReload: ReloadStatus?,
        systemd: SystemdStatus? = nil,
        pools: [PoolStatus]? = nil,
        retryBudget: RetryBudgetStatus? = nil,
        limits: LimitsStatus? = nil
    ) {
        self.limits = limits
        self.pools = pools
        self.retryBudget = retryBudget
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
        self.systemd = systemd
    }
}

/// How the daemon was started and supervised by systemd (all `false` when run by hand).
public struct SystemdStatus: Sendable, Hashable, Codable {
    /// Started by systemd: it set `INVOCATION_ID` or `NOTIFY_SOCKET`, or passed the listening socket.
    public var supervised: Bool
    /// Readiness, reload, stopping and status notifications are sent (`NOTIFY_SOCKET` was set).
    public var notify: Bool
    /// The listening socket was passed by systemd (`LISTEN_FDS`) rather than bound by the daemon.
    public var socketActivated: Bool
    /// The watchdog timeout (`WatchdogSec=`) in milliseconds; keep-alives go out at half of it.
    /// `nil` when no watchdog is configured.
    public var watchdogTimeoutMs: Int?
    /// Log lines go to the journal as native entries with structured fields.
    public var journal: Bool
    /// systemd's `INVOCATION_ID` of this run, for `journalctl _SYSTEMD_INVOCATION_ID=…`.
    public var invocationId: String?

    public init(
        supervised: Bool,
        notify: Bool,
        socketActivated: Bool,
        watchdogTimeoutMs: Int?,
        journal: Bool,
        invocationId: String?
    ) {
        self.supervised = supervised
        self.notify = notify
        self.socketActivated = socketActivated
        self.watchdogTimeoutMs = watchdogTimeoutMs
        self.journal = journal
        self.invocationId = invocationId
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
        name: String,
        type: String,
        host: String,
        hasCredentials: Bool,
        credentialSource: String,
        defaultModel: String?
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
        requests: Int = 0,
        succeeded: Int = 0,
        failed: Int = 0,
        cancelled: Int = 0,
        chunks: Int = 0,
        inputTokens: Int = 0,
        outputTokens: Int = 0
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

/// Upstream bytes the daemon holds for clients that read slower than their providers send, and the
/// daemon-wide budget that bounds them (`server.stream_memory_budget_bytes`).
public struct StreamBufferStatus: Sendable, Hashable, Codable {
    /// Bytes buffered now, across every stream.
    public var bufferedBytes: Int
    public var budgetBytes: Int
    /// The most buffered at once since start (an upper bound).
    public var peakBufferedBytes: Int
    public var activeTransfers: Int
    /// Upstream transfers paused because their client is not reading (or the budget holds them).
    public var pausedTransfers: Int
    /// Of those, the ones the budget holds back although their own buffer has room.
    public var budgetHeldTransfers: Int
    /// Streams ended since start because their client read nothing for `server.max_paused_ms`.
    public var pausedTimeouts: Int

    public init(
        bufferedBytes: Int,
        budgetBytes: Int,
        peakBufferedBytes: Int,
        activeTransfers: Int,
        pausedTransfers: Int,
        budgetHeldTransfers: Int,
        pausedTimeouts: Int
    ) {
        self.bufferedBytes = bufferedBytes
        self.budgetBytes = budgetBytes
        self.peakBufferedBytes = peakBufferedBytes
        self.activeTransfers = activeTransfers
        self.pausedTransfers = pausedTransfers
        self.budgetHeldTransfers = budgetHeldTransfers
        self.pausedTimeouts = pausedTimeouts
    }
}

/// Result of `metrics`.
public struct MetricsResult: Sendable, Hashable, Codable {
    /// The Prometheus text exposition format, version 0.0.4.
    public var text: String

    public init(text: String) {
        self.text = text
    }
}
