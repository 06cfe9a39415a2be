import Logging
import NeuroLinkCore
import NeuroLinkMCP
import NeuroLinkProtocol
import ServiceLifecycle
import Synchronization

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The configured MCP servers' tools as the tool catalog sees them (`tools.mcp_servers`).
final class MCPTools: ExternalToolSource {
    let manager: MCPManager
    /// Parsed input schemas by their JSON text: a server's list rarely changes, and a request
    /// with `enableTools` reads it.
    private let schemas = Mutex([String: JSONValue]())

    init(manager: MCPManager) {
        self.manager = manager
    }

    /// The supervisor for `config`'s servers, or `nil` without any. `env:NAME` values are read
    /// from the daemon's environment here (an unset variable is an empty value, logged).
    static func make(_ config: DaemonConfig, logger: Logger) -> MCPTools? {
        let servers = config.tools.mcpServers
        guard !servers.isEmpty else { return nil }
        let environment = ProcessInfo.processInfo.environment
        let settings = servers.map { server in
            MCPServerSettings(name: server.name, transport: transport(server, environment, logger))
        }
        var mcpLogger = logger
        mcpLogger[metadataKey: "component"] = "mcp"
        return MCPTools(manager: MCPManager(servers: settings, logger: mcpLogger))
    }

    private static func transport(
        _ server: DaemonConfig.MCPServer,
        _ environment: [String: String],
        _ logger: Logger
    ) -> MCPServerSettings.Transport {
        func resolved(_ values: [String: String]) -> [String: String] {
            values.mapValues { value in
                guard value.hasPrefix("env:") else { return value }
                let name = String(value.dropFirst(4))
                if environment[name] == nil {
                    logger.warning("an MCP server's env: variable is not set", metadata: ["variable": "\(name)"])
                }
                return environment[name] ?? ""
            }
        }
        switch server.transport {
        case .stdio(let command, let arguments, let env):
            return .stdio(command: command, arguments: arguments, environment: resolved(env))
        case .http(let url, let headers):
            return .http(url: url, headers: resolved(headers))
        }
    }

    var tools: [ToolInfo] {
        manager.tools.map { tool in
            ToolInfo(
                name: tool.name,
                source: "mcp:\(tool.server)",
                description: tool.description ?? "",
                parameters: schema(tool.inputSchemaJSON)
            )
        }
    }

    private func schema(_ json: String) -> JSONValue? {
        if let known = schemas.withLock({ $0[json] }) { return known }
        let parsed = try? JSONDecoder().decode(JSONValue.self, from: Data(json.utf8))
        schemas.withLock { cache in
            if cache.count > 4096 { cache.removeAll() }
            cache[json] = parsed
        }
        return parsed
    }

    func call(_ name: String, argumentsJSON: String, timeout: Duration) async -> Result<String, ExternalToolFailure>? {
        do throws(MCPCallError) {
            return .success(try await manager.call(name, argumentsJSON: argumentsJSON, timeout: timeout))
        } catch {
            switch error {
            case .unknownTool: return nil
            case .serverUnavailable(let server):
                return .failure(ExternalToolFailure("the MCP server \(server) is unavailable"))
            case .timeout:
                return .failure(ExternalToolFailure("the tool did not finish within tools.timeout_ms"))
            case .toolError(let message): return .failure(ExternalToolFailure(message))
            case .cancelled: return .failure(ExternalToolFailure("the call was cancelled"))
            case .protocolError(let message): return .failure(ExternalToolFailure("MCP error: \(message)"))
            }
        }
    }

    /// The servers' states for `status`.
    var statuses: [MCPServerStatus] { manager.states }
}

/// Runs the MCP servers for the daemon's lifetime; on shutdown, after the drain, stops them
/// (child processes included).
struct MCPService: Service, CustomStringConvertible {
    var description: String { "MCPServers" }
    let tools: MCPTools

    func run() async {
        await cancelWhenGracefulShutdown {
            await tools.manager.run()
        }
    }
}
