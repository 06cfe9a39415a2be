/// Method names of the protocol.
public enum Method {
    public static let stream = "stream"
    public static let generate = "generate"
    public static let cancel = "cancel"
    public static let status = "status"
    public static let health = "health"
    /// The configured providers, optionally probed; see ``ProvidersListResult``.
    public static let providersList = "providers.list"
    /// The models the providers offer; see ``ModelsListResult``.
    public static let modelsList = "models.list"
    /// Aggregates of recorded requests; see ``AnalyticsReportRequest``.
    public static let analyticsReport = "analytics.report"
    /// Recorded requests, one page at a time; see ``AnalyticsExportRequest``.
    public static let analyticsExport = "analytics.export"
    /// The daemon's metrics in the Prometheus text format; see ``MetricsResult``.
    public static let metrics = "metrics"
    /// Alert rules and their states; see ``AlertsListResult``.
    public static let alertsList = "alerts.list"
    /// What the daemon is doing now; see ``TopSnapshot``.
    public static let top = "top"
    /// The response cache's figures; see ``CacheStats``.
    public static let cacheStats = "cache.stats"
    /// Removes cache entries; see ``CacheClearRequest``.
    public static let cacheClear = "cache.clear"
    /// Describes one cache entry; see ``CacheInspectRequest``.
    public static let cacheInspect = "cache.inspect"
    /// Security events by tenant and type, with recommendations (admins only); see ``AuditReportRequest``.
    public static let auditReport = "audit.report"
    /// Recomputes the audit log's hash chain (admins only); see ``AuditVerification``.
    public static let auditVerify = "audit.verify"
    /// The tools the daemon can run; see ``ToolsListResult``.
    public static let toolsList = "tools.list"
    /// Runs one tool directly; see ``ToolCallRequest``.
    public static let toolsCall = "tools.call"
    /// The caller's stored conversation sessions; see ``MemoryListResult``.
    public static let memoryList = "memory.list"
    /// One session's messages; see ``MemorySessionParams``.
    public static let memoryShow = "memory.show"
    /// Forgets one session; see ``MemorySessionParams``.
    public static let memoryClear = "memory.clear"
    /// The result of a client-executed tool call (`ToolResultParams` → `ToolResultAck`).
    public static let toolResult = "tool.result"
    /// The notification that carries one chunk of a stream.
    public static let streamChunk = "stream.chunk"
}

/// The protocol's version; `status` reports it so clients can tell what they talk to.
public enum ProtocolInfo {
    public static let version = "1"
    /// The release of this package.
    public static let release = "0.1.0"
    public static let jsonrpc = "2.0"
    /// Default largest frame, in bytes, that either side accepts.
    public static let defaultMaxFrameBytes = 16 * 1024 * 1024
}
