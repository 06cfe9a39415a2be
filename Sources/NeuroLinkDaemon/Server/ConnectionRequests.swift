import NeuroLinkCore
import NeuroLinkProtocol
import Synchronization

/// The requests running on one connection, by id, so `cancel` can find them and a closed
/// connection can stop them all.
final class ConnectionRequests: Sendable {
    private let running = Mutex<[RPCID: RequestContext]>([:])

    /// Adds a request; `false` when a request with the same id is still running.
    func insert(_ context: RequestContext) -> Bool {
        running.withLock { running in
            guard running[context.id] == nil else { return false }
            running[context.id] = context
            return true
        }
    }

    func remove(_ context: RequestContext) {
        running.withLock { running in
            if running[context.id] === context { running[context.id] = nil }
        }
    }

    /// Cancels the request with `id`; `false` when none is running.
    func cancel(_ id: RPCID) -> Bool {
        guard let context = running.withLock({ $0[id] }) else { return false }
        context.cancel()
        return true
    }

    func cancelAll() {
        let contexts = running.withLock { Array($0.values) }
        contexts.forEach { $0.cancel() }
    }
}
