import Logging
import NeuroLinkHTTP
import NeuroLinkLimits
import NeuroLinkProtocol
import NeuroLinkProviders
import NeuroLinkRouting

/// How a transport failure of an upstream transfer reads as a protocol error: one mapping for
/// streamed attempts and one-shot calls alike.
enum TransferFailure {
    /// - Parameters:
    ///   - cancelReason: why the request was stopped, for `cancelled` transfers.
    ///   - midStream: whether the response had begun (a network error is then "mid-stream").
    static func map(
        _ error: TransferError,
        timeouts: TransferTimeouts,
        provider: String,
        cancelReason: ErrorType?,
        midStream: Bool
    ) -> RPCError {
        switch error {
        case .cancelled:
            return .stopped(cancelReason)
        case .shutdown:
            return .stopped(.shuttingDown)
        case .timeout(let phase):
            return timeout(phase, timeouts: timeouts, provider: provider)
        case .paused(let limit):
            // The client stalled, not the provider: not retried or failed over (another attempt
            // would stall the same way), and a class that does not count against the member.
            return RPCError(
                .timeout,
                "\(provider): the client read nothing for \(limit.milliseconds) ms; the stream was ended",
                data: ErrorData(
                    type: .timeout,
                    retryable: false,
                    timeout: "paused",
                    provider: provider,
                    failureClass: .client
                )
            )
        case .network(_, let message):
            let when = midStream ? "the connection to the provider failed mid-stream" : "could not reach the provider"
            return RPCError(
                .upstreamError,
                "\(provider): \(when): \(message)",
                data: ErrorData(type: .upstreamError, retryable: true, provider: provider, failureClass: .network)
            )
        }
    }

    private static func timeout(_ phase: TransferError.Phase, timeouts: TransferTimeouts, provider: String) -> RPCError
    {
        let (limit, what): (Duration?, String) =
            switch phase {
            case .connect: (timeouts.connect, "connecting to the provider")
            case .firstByte: (timeouts.firstByte, "waiting for the first chunk")
            case .idle: (timeouts.idle, "waiting for the next chunk")
            case .total: (timeouts.total, "the whole request")
            }
        let after = limit.map { "\($0.milliseconds) ms" } ?? "?"
        return RPCError(
            .timeout,
            "\(provider): \(phase.rawValue) timeout after \(after) \(what)",
            data: ErrorData(
                type: .timeout,
                retryable: true,
                timeout: phase.rawValue,
                provider: provider,
                failureClass: .timeout
            )
        )
    }
}
