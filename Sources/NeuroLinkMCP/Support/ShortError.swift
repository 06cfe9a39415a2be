import Foundation
import MCP
import NeuroLinkProtocol

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Short, secret-free texts of errors for ``MCPServerStatus/lastError`` and logs.
enum ShortError {
    /// Status lines are not the place for stack-sized messages.
    static let maximumLength = 200

    static func text(_ error: any Error) -> String {
        if let error = error as? MCPError { return clip(mcp(error)) }
        // URLError's description embeds the URL, whose query may carry a token.
        if let error = error as? URLError { return "HTTP request failed: \(network(error.code))" }
        return clip(String(describing: error))
    }

    static func clip(_ text: String) -> String {
        let line = text.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        guard line.count > maximumLength else { return line }
        return String(line.prefix(maximumLength)) + "…"
    }

    private static func mcp(_ error: MCPError) -> String {
        switch error {
        case .connectionClosed: return "connection closed"
        case .transportError(let underlying): return "transport error: \(text(underlying))"
        default: return error.errorDescription ?? String(describing: error)
        }
    }

    private static func network(_ code: URLError.Code) -> String {
        switch code {
        case .cannotConnectToHost: return "cannot connect to host"
        case .cannotFindHost, .dnsLookupFailed: return "cannot find host"
        case .timedOut: return "timed out"
        case .networkConnectionLost: return "connection lost"
        case .cancelled: return "cancelled"
        case .secureConnectionFailed, .serverCertificateUntrusted, .serverCertificateHasBadDate:
            return "TLS failure"
        default: return "URL error \(code.rawValue)"
        }
    }
}
