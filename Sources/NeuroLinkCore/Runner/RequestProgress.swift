import NeuroLinkProtocol
import Synchronization

/// How far a running request has come, for `nlctl top`: where it is going and how much of the
/// answer reached its client. Written once per attempt and once per batch of the answer (one
/// uncontended lock), read when a client asks for the daemon's activity.
public final class RequestProgress: Sendable {
    public struct Snapshot: Sendable {
        public var provider: String?
        public var model: String?
        public var deliveredBytes = 0
        public var firstChunkAt: ContinuousClock.Instant?
    }

    private let state = Mutex(Snapshot())

    public init() {}

    public var snapshot: Snapshot { state.withLock { $0 } }

    func route(provider: String, model: String) {
        state.withLock { state in
            state.provider = provider
            state.model = model
        }
    }

    func delivered(bytes: Int, firstChunkAt: ContinuousClock.Instant?) {
        state.withLock { state in
            state.deliveredBytes = bytes
            state.firstChunkAt = firstChunkAt
        }
    }
}
