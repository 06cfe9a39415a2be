import Logging
import NeuroLinkHTTP
import NeuroLinkProtocol
import NeuroLinkProviders
import Synchronization

/// Embeds prompts with a configured provider's embedding endpoint (`cache.semantic.embedding:
/// {provider, model}`): one call per prompt through ``ProviderCaller``, at most `capacity` at a
/// time, each ended when the lookup's wait limit passes. Any failure is a miss, logged when its
/// message changes, so a failing endpoint neither stalls nor floods the log.
public final class ProviderEmbedder: TextEmbedder {
    let adapter: any ProviderAdapter
    let model: String
    let caller: ProviderCaller
    let capacity: Int
    let logger: Logger
    private let state = Mutex(State())
    public var identity: String { "\(adapter.endpoint.name)/\(model)" }

    private struct State {
        var running = 0
        var stopped = false
        var lastError: String?
    }

    /// - Parameter capacity: calls in flight at most (`cache.semantic.queue_size`); past it a lookup misses.
    public init(adapter: any ProviderAdapter, model: String, caller: ProviderCaller, capacity: Int, logger: Logger) {
        self.adapter = adapter
        self.model = model
        self.caller = caller
        self.capacity = max(1, capacity)
        self.logger = logger
    }

    public func embed(_ text: String, waitingAtMost limit: Duration) async -> [Float]? {
        let admitted = state.withLock { state -> Bool in
            guard !state.stopped, state.running < capacity else { return false }
            state.running += 1
            return true
        }
        guard admitted else { return nil }
        defer { state.withLock { $0.running -= 1 } }
        do throws(RPCError) {
            let call = try adapter.embeddingCall([text], model: model)
            // The whole exchange, connecting included, within the lookup's limit: curl ends it then.
            let response = try await caller.call(call, on: adapter, timeouts: TransferTimeouts(total: limit))
            let result = try adapter.parseEmbeddings(response.body, count: 1)
            state.withLock { $0.lastError = nil }
            return result.vectors.first.flatMap(Self.normalized)
        } catch {
            report(error)
            return nil
        }
    }

    public func stop() {
        state.withLock { $0.stopped = true }
    }

    private func report(_ error: RPCError) {
        guard error.type != .cancelled else { return }
        let message = "\(error.type.rawValue): \(error.message)"
        let changed = state.withLock { state -> Bool in
            defer { state.lastError = message }
            return state.lastError != message
        }
        guard changed else { return }
        logger.warning(
            "the semantic cache's embedding call failed; lookups miss until it works",
            metadata: ["provider": "\(adapter.endpoint.name)", "model": "\(model)", "error": "\(message)"]
        )
    }
}
