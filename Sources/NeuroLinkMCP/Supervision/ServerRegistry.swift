import NeuroLinkProtocol
import Synchronization

/// The servers' records, shared by their supervisors (writers) and the daemon's callers.
final class ServerRegistry: Sendable {
    private let records: Mutex<[ServerRecord]>

    init(_ records: [ServerRecord]) {
        self.records = Mutex(records)
    }

    func update(_ index: Int, _ change: (inout ServerRecord) -> Void) {
        records.withLock { change(&$0[index]) }
    }

    var states: [MCPServerStatus] {
        records.withLock { $0.map(\.state) }
    }

    var allSettled: Bool {
        records.withLock { $0.allSatisfy(\.settled) }
    }

    /// The tools of ready servers, sorted by name; a name already taken is skipped (two servers
    /// such as `a` and `a_` can produce the same namespaced name).
    var tools: [MCPToolDescription] {
        let all = records.withLock { $0.filter { $0.phase == .ready }.flatMap(\.tools) }
        var seen = Set<String>()
        return all.sorted { $0.name < $1.name }.filter { seen.insert($0.name).inserted }
    }

    /// Resolves a namespaced tool name for a call.
    func target(for name: String) throws(MCPCallError) -> CallTarget {
        let result: Result<CallTarget, MCPCallError> = records.withLock { records in
            for record in records where record.phase == .ready {
                guard let tool = record.tools.first(where: { $0.name == name }),
                    let connection = record.connection
                else { continue }
                return .success(CallTarget(server: tool.server, toolName: tool.toolName, connection: connection))
            }
            let configured = records.map(\.settings.name)
            if let server = ToolNaming.server(of: name, among: configured),
                records.contains(where: { $0.settings.name == server && $0.phase != .ready })
            {
                return .failure(.serverUnavailable(server))
            }
            return .failure(.unknownTool)
        }
        return try result.get()
    }
}
