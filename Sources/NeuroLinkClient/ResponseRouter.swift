import NeuroLinkProtocol
import Synchronization

/// Matches incoming frames to the calls and streams waiting for them.
final class ResponseRouter: Sendable {
    enum Waiter {
        case call(CheckedContinuation<JSONValue, any Error>)
        case stream(StreamTarget)
    }

    /// Where a stream's events go; type-erased so chunk-only and event streams share the routing.
    struct StreamTarget: Sendable {
        /// Hands an event to the application; `false` when its buffer is full.
        let yield: @Sendable (StreamEvent) -> Bool
        let finish: @Sendable ((any Error)?) -> Void
        /// Returns once the application wants more events (or is gone).
        let demand: StreamDemand
    }

    private struct State {
        var waiters: [RPCID: Waiter] = [:]
        var closed = false
    }

    private let state = Mutex(State())

    /// Registers a waiter; `false` when the connection is already closed.
    func register(_ id: RPCID, _ waiter: Waiter) -> Bool {
        state.withLock { state in
            guard !state.closed else { return false }
            state.waiters[id] = waiter
            return true
        }
    }

    func remove(_ id: RPCID) -> Waiter? {
        state.withLock { $0.waiters.removeValue(forKey: id) }
    }

    /// Delivers one message; suspends while the stream it belongs to has a full buffer, which
    /// stops the connection's reads until the application catches up.
    func dispatch(_ message: ClientInbound) async {
        switch message {
        case .chunk(let chunk):
            guard case .stream(let target)? = state.withLock({ $0.waiters[chunk.requestId] }) else { return }
            if target.yield(.chunk(chunk)) {
                target.demand.demandMet()
            } else {
                await target.demand.waitForDemand()
            }
        case .success(let id, let result):
            switch remove(id) {
            case .call(let continuation)?:
                continuation.resume(returning: result)
            case .stream(let target)?:
                do {
                    _ = target.yield(.result(try result.decode(as: StreamResult.self)))
                    target.finish(nil)
                } catch {
                    target.finish(NeuroLinkClientError.protocolViolation("unreadable stream result"))
                }
            case nil:
                break
            }
        case .failure(let id, let error):
            guard let id else {
                // `frame_too_large` ends the connection; other id-less errors answer a frame this
                // client could not have sent and concern no request.
                if error.type == .frameTooLarge { failAll(error) }
                return
            }
            switch remove(id) {
            case .call(let continuation)?: continuation.resume(throwing: error)
            case .stream(let target)?: target.finish(error)
            case nil: break
            }
        case .unknownNotification:
            break
        }
    }

    /// Ends every waiter with `error` and refuses new ones.
    func failAll(_ error: any Error) {
        let waiters = state.withLock { state -> [Waiter] in
            state.closed = true
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters {
            switch waiter {
            case .call(let continuation): continuation.resume(throwing: error)
            case .stream(let target): target.finish(error)
            }
        }
    }
}
