/// How much ``MemoryStore`` keeps, so that one client cannot grow the file without bound.
///
/// Each limit is at least 1: a smaller value (from configuration) is raised to 1.
public struct MemoryLimits: Sendable, Hashable {
    /// Messages kept per session; past it, the oldest whole turns are dropped.
    public var maxMessagesPerSession: Int
    /// UTF-8 bytes of content kept per session; past it, the oldest whole turns are dropped.
    public var maxSessionBytes: Int
    /// Live sessions kept per tenant; past it, the tenant's least recently updated one is dropped.
    public var maxSessionsPerTenant: Int

    public init(maxMessagesPerSession: Int = 200, maxSessionBytes: Int = 1 << 20, maxSessionsPerTenant: Int = 10_000) {
        self.maxMessagesPerSession = max(1, maxMessagesPerSession)
        self.maxSessionBytes = max(1, maxSessionBytes)
        self.maxSessionsPerTenant = max(1, maxSessionsPerTenant)
    }
}
