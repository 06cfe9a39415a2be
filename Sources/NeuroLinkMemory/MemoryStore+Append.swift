import GRDB

extension MemoryStore {
    /// Appends `messages` to the session in one transaction, creating the session (or starting it
    /// anew when it has expired), and sets its expiry to `nowMs + ttlMs` (saturating; a negative
    /// TTL counts as 0). Returns how many messages were stored.
    ///
    /// Only `user` and `assistant` messages are stored; the others are skipped, and a call with
    /// none of them changes nothing. Past ``MemoryLimits`` the oldest whole turns are dropped (a
    /// turn starts at a user message), so a session never starts with an assistant message; when
    /// not even the newest turn fits, the session is deleted. A new session that puts the tenant
    /// over its limit evicts the tenant's least recently updated session.
    @discardableResult
    public func append(
        tenant: String,
        session: String,
        messages: [MemoryMessage],
        ttlMs: Int64,
        nowMs: Int64
    ) async throws -> Int {
        try Self.validate(tenant: tenant, session: session)
        let stored = messages.filter { MemoryMessage.storedRoles.contains($0.role) }
        guard !stored.isEmpty else { return 0 }
        let append = MemoryAppend(
            tenant: tenant,
            session: session,
            messages: stored,
            nowMs: nowMs,
            expiresAtMs: nowMs.addingReportingOverflow(max(0, ttlMs)).overflow ? .max : nowMs + max(0, ttlMs),
            limits: limits
        )
        return try await database.write { db in try append.run(db) }
    }
}
