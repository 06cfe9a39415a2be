import Logging
import NeuroLinkHTTP
import NeuroLinkLimits
import NeuroLinkProtocol
import NeuroLinkProviders
import NeuroLinkRouting

extension RPCError {
    /// The error a request ends with when it was stopped from outside: `cancelled` by its client
    /// (or its connection closing) or `shutting_down` by the daemon's drain.
    ///
    /// - Parameter reason: the request's ``RequestContext/cancelReason``, `nil` counting as `cancelled`.
    public static func stopped(_ reason: ErrorType?, while doing: String? = nil) -> RPCError {
        let reason = reason ?? .cancelled
        let what = reason == .shuttingDown ? "the daemon is shutting down" : "the request was cancelled"
        return RPCError(reason, doing.map { "\(what) while \($0)" } ?? what)
    }
}

extension RequestContext {
    /// The error a request ends with when sending its output failed: the ``RPCError`` thrown (an
    /// answer over its limit), or else the client went away, which this records.
    func failedDelivery(_ error: any Error) -> RPCError {
        if let error = error as? RPCError { return error }
        clientGone()
        return RPCError(.cancelled, "the client connection closed")
    }
}
