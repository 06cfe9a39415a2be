import Logging
import MCP
import SystemPackage

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Opens a ``ServerConnection`` for a server's settings: starts the process or reaches the URL,
/// then performs the `initialize` exchange within the handshake time limit.
struct ConnectionOpener: Sendable {
    let settings: MCPServerSettings
    let timing: SupervisionTiming
    let logger: Logger

    /// The connection and the stream of its events; the caller closes the connection.
    func open() async throws -> (ServerConnection, AsyncStream<ConnectionEvent>) {
        let (events, sink) = AsyncStream<ConnectionEvent>.makeStream()
        let signal = LossSignal(sink)
        let client = Client(name: "neurolink", version: "1.0")
        let connection: ServerConnection
        let transport: any Transport
        switch settings.transport {
        case .stdio(let command, let arguments, let environment):
            let child = try spawn(command: command, arguments: arguments, environment: environment, signal: signal)
            connection = ServerConnection(client: client, child: child, signal: signal)
            transport = stdioTransport(child, signal: signal)
        case .http(let url, let headers):
            connection = ServerConnection(client: client, child: nil, signal: signal)
            transport = try httpTransport(url: url, headers: headers, signal: signal)
        }
        await client.onNotification(ToolListChangedNotification.self) { _ in signal.reportToolsChanged() }
        do {
            try await handshake(connection, transport)
        } catch {
            await connection.close(grace: timing.terminationGrace)
            throw error
        }
        return (connection, events)
    }

    private func stdioTransport(_ child: ChildProcess, signal: LossSignal) -> MonitoredTransport {
        let stdio = StdioTransport(
            input: FileDescriptor(rawValue: child.standardOutput),
            output: FileDescriptor(rawValue: child.standardInput),
            logger: logger
        )
        return MonitoredTransport(stdio, logger: logger) { reason in
            // The exit usually follows at once and says more; it wins if it comes in time.
            Task {
                try? await Task.sleep(for: .milliseconds(250))
                signal.reportLost(reason)
            }
        }
    }

    private func handshake(_ connection: ServerConnection, _ transport: any Transport) async throws {
        let done: Void? = try await TimeLimit.run(timing.handshake) { try await connection.handshake(transport) }
        guard done != nil else { throw ConnectionFailure("initialize timed out") }
    }

    private func spawn(
        command: String,
        arguments: [String],
        environment: [String: String],
        signal: LossSignal
    ) throws -> ChildProcess {
        let environment = CommandLookup.environment(environment)
        guard let executable = CommandLookup.resolve(command, searchPath: environment["PATH"] ?? "") else {
            throw ConnectionFailure("command not found or not executable: \(command)")
        }
        return try ChildProcess.spawn(
            executable: executable,
            arguments: arguments,
            environment: environment,
            logger: logger
        ) { status in
            signal.reportLost("process \(ExitSignal.describe(status))")
        }
    }

    private func httpTransport(url: String, headers: [String: String], signal: LossSignal) throws -> any Transport {
        guard let endpoint = URL(string: url), ["http", "https"].contains(endpoint.scheme?.lowercased() ?? "") else {
            throw ConnectionFailure("invalid URL")
        }
        return StreamableHTTPClientTransport(endpoint: endpoint, headers: headers, logger: logger) { reason in
            signal.reportLost(reason)
        }
    }
}
