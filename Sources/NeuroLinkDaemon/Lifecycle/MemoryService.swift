import Logging
import NeuroLinkBasics
import NeuroLinkCore
import NeuroLinkMemory
import NeuroLinkProtocol
import ServiceLifecycle

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Conversation memory's SQLite store (`NeuroLinkMemory`) as the memory stage sees it.
struct SessionMemory: ConversationMemoryStore {
    let store: MemoryStore

    /// The store `config.memory` describes, or `nil` when memory is off or its file cannot be
    /// opened (logged; requests then go on without memory).
    static func open(_ config: DaemonConfig, loader: ConfigLoader, logger: Logger) -> SessionMemory? {
        let settings = config.memory
        guard settings.enabled else { return nil }
        let path = settings.path ?? loader.defaultMemoryPath()
        let limits = MemoryLimits(
            maxMessagesPerSession: settings.maxMessagesPerSession,
            maxSessionBytes: settings.maxSessionBytes,
            maxSessionsPerTenant: settings.maxSessionsPerTenant
        )
        do {
            return SessionMemory(store: try MemoryStore(path: path, limits: limits))
        } catch {
            logger.error("conversation memory is off: its database cannot be opened", metadata: ["error": "\(error)"])
            return nil
        }
    }

    static var nowMs: Int64 { Int64((Date().timeIntervalSince1970 * 1000).rounded()) }

    func history(
        tenant: String,
        session: String,
        maxTokens: Int,
        besides request: [ChatMessage]
    ) async throws
        -> [ChatMessage]
    {
        let stored = try await store.history(tenant: tenant, session: session, nowMs: Self.nowMs)
        let reserved = request.reduce(0) { total, message in
            total.addingSaturating(MemoryTrimmer.cost(of: MemoryMessage(role: message.role, content: message.content)))
        }
        return MemoryTrimmer.trim(stored, maxTokens: maxTokens, reservedTokens: reserved)
            .map { ChatMessage(role: $0.role, content: $0.content) }
    }

    func append(tenant: String, session: String, messages: [ChatMessage], ttlMs: Int) async throws {
        try await store.append(
            tenant: tenant,
            session: session,
            messages: messages.map { MemoryMessage(role: $0.role, content: $0.content) },
            ttlMs: Int64(ttlMs),
            nowMs: Self.nowMs
        )
    }
}

/// Forgets expired sessions once an hour, and once at start.
struct MemoryService: Service, CustomStringConvertible {
    var description: String { "ConversationMemory" }
    let memory: SessionMemory
    let logger: Logger

    func run() async {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    let purged = try await memory.store.purgeExpired(nowMs: SessionMemory.nowMs)
                    if purged > 0 {
                        logger.info("memory: expired sessions forgotten", metadata: ["sessions": "\(purged)"])
                    }
                } catch {
                    logger.warning("memory: expired sessions cannot be purged", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: .seconds(3600))
            }
        }
        try? memory.store.close()
    }
}
