/// One stored session of the caller's tenant, as `memory.list` describes it.
public struct MemorySessionInfo: Sendable, Hashable, Codable {
    public var sessionId: String
    /// The tenant it belongs to (admins see every tenant's).
    public var tenant: String
    public var messages: Int
    /// UTF-8 bytes of the stored messages' content.
    public var bytes: Int
    /// Unix milliseconds.
    public var createdAtMs: Int64
    public var updatedAtMs: Int64
    /// The session is gone from this time on; `Int64.max` when its TTL had no end.
    public var expiresAtMs: Int64

    public init(
        sessionId: String,
        tenant: String,
        messages: Int,
        bytes: Int,
        createdAtMs: Int64,
        updatedAtMs: Int64,
        expiresAtMs: Int64
    ) {
        self.sessionId = sessionId
        self.tenant = tenant
        self.messages = messages
        self.bytes = bytes
        self.createdAtMs = createdAtMs
        self.updatedAtMs = updatedAtMs
        self.expiresAtMs = expiresAtMs
    }
}

/// Result of `memory.list`.
public struct MemoryListResult: Sendable, Hashable, Codable {
    public var sessions: [MemorySessionInfo]
    public init(sessions: [MemorySessionInfo]) { self.sessions = sessions }
}

/// Params of `memory.show` and `memory.clear`: a session of the caller's tenant.
public struct MemorySessionParams: Sendable, Hashable, Codable {
    public var sessionId: String
    public init(sessionId: String) { self.sessionId = sessionId }

    public init(json: JSONValue?) throws(RPCError) {
        guard let object = json?.objectValue else { throw RPCError(.invalidParams, "params must be an object") }
        for key in object.keys where key != "sessionId" {
            throw RPCError(.invalidParams, "params.\(key) is not a known parameter")
        }
        guard let id = object["sessionId"]?.stringValue, Self.isValid(id) else {
            throw RPCError(.invalidParams, "params.sessionId must be 1-128 characters without control characters")
        }
        self.init(sessionId: id)
    }

    /// A session id as requests (`context.sessionId`) and these methods take it.
    public static func isValid(_ id: String) -> Bool {
        (1...128).contains(id.utf8.count)
            && !id.unicodeScalars.contains { $0.properties.generalCategory == .control }
    }
}

/// One stored message of a session.
public struct MemoryMessageInfo: Sendable, Hashable, Codable {
    public var role: String
    public var content: String
    public var createdAtMs: Int64
    public init(role: String, content: String, createdAtMs: Int64) {
        self.role = role
        self.content = content
        self.createdAtMs = createdAtMs
    }
}

/// Result of `memory.show`.
public struct MemoryShowResult: Sendable, Hashable, Codable {
    public var sessionId: String
    public var messages: [MemoryMessageInfo]
    public init(sessionId: String, messages: [MemoryMessageInfo]) {
        self.sessionId = sessionId
        self.messages = messages
    }
}

/// Result of `memory.clear`.
public struct MemoryClearResult: Sendable, Hashable, Codable {
    public var cleared: Bool
    public init(cleared: Bool) { self.cleared = cleared }
}
