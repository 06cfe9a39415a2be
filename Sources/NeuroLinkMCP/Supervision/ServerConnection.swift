import Logging
import MCP
import Synchronization

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One live MCP session with a server: the SDK client, its transport and, for stdio, the child.
final class ServerConnection: Sendable {
    /// The page limit of `tools/list`, against servers that hand out cursors forever.
    static let maximumPages = 100

    private let client: Client
    private let child: ChildProcess?
    private let signal: LossSignal
    private let shutDown = Mutex(false)

    init(client: Client, child: ChildProcess?, signal: LossSignal) {
        self.client = client
        self.child = child
        self.signal = signal
    }

    /// Whether the connection was lost or closed; calls failing then failed because of it.
    var isClosed: Bool { signal.isLost || shutDown.withLock { $0 } }

    /// Marks the connection lost and tells the supervisor.
    func reportLost(_ reason: String) {
        signal.reportLost(reason)
    }

    /// Performs the `initialize` exchange on `transport`.
    func handshake(_ transport: any Transport) async throws {
        try await client.connect(transport: transport)
    }

    /// Every tool the server offers, following cursors.
    func listTools() async throws -> [Tool] {
        var tools: [Tool] = []
        var cursor: String?
        for _ in 0..<Self.maximumPages {
            let page = try await client.listTools(cursor: cursor)
            tools += page.tools
            guard let next = page.nextCursor, !next.isEmpty else { break }
            cursor = next
        }
        return tools
    }

    /// Sends a ping; throws when the server does not answer at all.
    func ping() async throws {
        do {
            try await client.ping()
        } catch let error as MCPError where !Self.isConnectionFailure(error) {
            // An error answer (say, a server without ping) still shows the server is alive.
            return
        }
    }

    /// Starts a `tools/call` request.
    func startCall(_ tool: String, arguments: [String: Value]) async throws -> RequestContext<CallTool.Result> {
        try await client.send(CallTool.request(.init(name: tool, arguments: arguments)))
    }

    /// Withdraws a request that timed out, so that the server may stop working on it.
    func cancel(_ request: ID) {
        let client = self.client
        Task { try? await client.cancelRequest(request, reason: "timed out") }
    }

    /// Ends the session: disconnects the client (failing its pending requests) and stops the
    /// process. Safe to call more than once and from a cancelled task.
    func close(grace: Duration) async {
        let first = shutDown.withLock { shutDown in
            defer { shutDown = true }
            return !shutDown
        }
        // Twice would close the pipes twice, and their numbers may have been reused.
        guard first else { return }
        let client = self.client
        let child = self.child
        // An unstructured task is not cancelled with the caller: the grace period must elapse.
        await Task {
            await client.disconnect()
            await child?.terminate(grace: grace)
        }.value
        signal.finish()
    }

    static func isConnectionFailure(_ error: any Error) -> Bool {
        if error is HTTPConnectionLost { return true }
        guard let error = error as? MCPError else { return false }
        switch error {
        case .connectionClosed, .transportError: return true
        default: return false
        }
    }
}
