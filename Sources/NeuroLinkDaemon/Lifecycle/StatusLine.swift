import NeuroLinkCore
import NeuroLinkProtocol

/// The one-line state shown by `systemctl status` (`STATUS=`), e.g.
/// "serving 3 providers (2 usable), 12 active streams on 4 connections, 1532 requests".
extension DaemonState {
    var statusLine: String {
        let snapshot = stats.snapshot
        let connections = Self.count(snapshot.activeConnections, "connection")
        if isDraining {
            return "draining: \(Self.count(requests.count, "request")) still running, \(connections) open"
        }
        let providers = current.config.providers
        let usable = providers.filter(\.isUsable).count
        return "serving \(Self.count(providers.count, "provider")) (\(usable) usable), "
            + "\(Self.count(activeStreams, "active stream")) on \(connections), "
            + "\(Self.count(snapshot.totals.requests, "request")) since start"
    }

    static func count(_ n: Int, _ noun: String) -> String { n == 1 ? "1 \(noun)" : "\(n) \(noun)s" }
}
