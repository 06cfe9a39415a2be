import Logging
import Synchronization

/// Keeps log lines for tests to inspect, as `[mcp_server] message key=value`.
struct RecordingLogHandler: LogHandler {
    final class Store: Sendable {
        private let lines = Mutex<[String]>([])

        var all: [String] { lines.withLock { $0 } }

        func append(_ line: String) {
            lines.withLock { $0.append(line) }
        }
    }

    let store: Store
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?
    var logLevel: Logger.Level = .info

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let server = metadata["mcp_server"].map { "[\($0)] " } ?? ""
        let details = (event.metadata ?? [:]).map { "\($0.key)=\($0.value)" }.sorted().joined(separator: " ")
        store.append("\(server)\(event.message) \(details)")
    }

    /// A logger recording into a new store.
    static func logger() -> (Logger, Store) {
        let store = Store()
        return (Logger(label: "mcp-test") { _ in RecordingLogHandler(store: store) }, store)
    }
}
