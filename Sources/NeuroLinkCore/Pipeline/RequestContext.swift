import NeuroLinkHTTP
import NeuroLinkProtocol
import Synchronization

/// The handle the daemon keeps on one running request, so that `cancel`, a closed connection or
/// the shutdown drain can stop it — including its upstream transfer — from outside its task.
public final class RequestContext: Sendable {
    public let id: RPCID
    public let receivedAt: ContinuousClock.Instant

    private struct State {
        var transfer: HTTPTransfer?
        var cancelReason: ErrorType?
    }

    private let state = Mutex(State())

    public init(id: RPCID, receivedAt: ContinuousClock.Instant = .now) {
        self.id = id
        self.receivedAt = receivedAt
    }

    /// Stops the request; its final response will be an error of type `reason`.
    public func cancel(reason: ErrorType = .cancelled) {
        let transfer = state.withLock { state -> HTTPTransfer? in
            if state.cancelReason == nil { state.cancelReason = reason }
            return state.transfer
        }
        transfer?.cancel()
    }

    /// Why the request was cancelled, or `nil` while it was not.
    public var cancelReason: ErrorType? { state.withLock { $0.cancelReason } }

    /// Ties the upstream transfer to this request; cancels it at once if the request already was.
    func attach(_ transfer: HTTPTransfer) {
        let cancelled = state.withLock { state -> Bool in
            state.transfer = transfer
            return state.cancelReason != nil
        }
        if cancelled { transfer.cancel() }
    }

    func detach() {
        state.withLock { $0.transfer = nil }
    }
}
