import ArgumentParser
import NeuroLinkClient
import NeuroLinkProtocol

/// `nlctl`'s exit statuses (documented in README and `nlctl --help`).
public enum NLExit {
    public static let ok: Int32 = 0
    /// Anything not listed below.
    public static let failure: Int32 = 1
    /// The daemon rejected the request itself (bad params, unknown provider, no provider, a
    /// security policy, blocked content).
    public static let rejected: Int32 = 2
    /// The provider failed or answered something unreadable.
    public static let upstream: Int32 = 3
    /// The provider refused the credentials.
    public static let auth: Int32 = 4
    /// Rate limited (retry later).
    public static let rateLimited: Int32 = 5
    /// A timeout fired.
    public static let timeout: Int32 = 6
    /// The daemon is shutting down.
    public static let shuttingDown: Int32 = 7
    /// `nlctl batch`: some items failed (their output lines say why); the others succeeded.
    public static let itemsFailed: Int32 = 8
    /// Command-line usage error.
    public static let usage: Int32 = 64
    /// The daemon could not be reached.
    public static let unreachable: Int32 = 69
    /// Standard output failed for a reason other than a closed reader (`EBADF`, `EIO`, `ENOSPC`); sysexits' `EX_IOERR`.
    public static let ioError: Int32 = 74
    /// The socket is in a directory another user could have put it in; nothing was sent (sysexits' `EX_NOPERM`).
    public static let untrustedSocket: Int32 = 77
    /// Interrupted with Ctrl-C.
    public static let interrupted: Int32 = 130
    /// Standard output or standard error was closed by its reader (`nlctl stream … | head -3`). 128 + SIGPIPE
    /// (13): the status shells report for a process killed by `SIGPIPE`, so `set -o pipefail` scripts see what
    /// they see for any other tool; nlctl ignores the signal, cancels its request and exits with it instead.
    public static let outputClosed: Int32 = 141

    static func code(for error: RPCError) -> Int32 {
        switch error.type {
        case .upstreamError, .upstreamBadResponse, .upstreamInvalidRequest: upstream
        case .upstreamAuth: auth
        case .rateLimited: rateLimited
        case .timeout: timeout
        case .shuttingDown: shuttingDown
        case .cancelled: interrupted
        case .invalidParams, .invalidRequest, .providerNotFound, .noProviderAvailable, .unknownMethod, .frameTooLarge,
            .forbidden, .contentBlocked:
            rejected
        default: failure
        }
    }

    /// Prints an error to stderr and returns the exit code to use.
    static func report(_ error: any Error) -> ExitCode {
        switch error {
        case let error as RPCError:
            var line = "nlctl: \(error.type): \(error.message)"
            if let retry = error.retryAfterMs { line += " (retry after \(retry) ms)" }
            Terminal.diagnostic(line)
            return ExitCode(code(for: error))
        case let error as NeuroLinkClientError:
            Terminal.diagnostic("nlctl: \(error)")
            switch error {
            case .daemonUnreachable: return ExitCode(unreachable)
            case .untrustedSocket: return ExitCode(untrustedSocket)
            default: return ExitCode(failure)
            }
        case let error as OutputClosed:
            return report(error)
        case let error as ExitCode:
            return error
        default:
            Terminal.diagnostic("nlctl: \(error)")
            return ExitCode(failure)
        }
    }

    /// A closed reader ends nlctl silently, like any tool in a pipeline; other write failures are explained.
    static func report(_ error: OutputClosed) -> ExitCode {
        if error.isBrokenPipe { return ExitCode(outputClosed) }
        Terminal.diagnostic("nlctl: \(error)")
        return ExitCode(ioError)
    }
}
