import NeuroLinkProtocol

/// One MCP server from the configuration: its namespace and how to reach it.
public struct MCPServerSettings: Sendable, Hashable {
    /// How the daemon talks to a server.
    public enum Transport: Sendable, Hashable {
        /// A child process speaking MCP on its stdin and stdout.
        ///
        /// `command` without a `/` is looked up in the `PATH` of the child's environment, which is
        /// `environment` laid over a minimal `PATH`; the daemon's own environment is not inherited.
        case stdio(command: String, arguments: [String], environment: [String: String])
        /// A Streamable HTTP endpoint; `headers` (for example `Authorization`) go with every request.
        case http(url: String, headers: [String: String])
    }

    /// The server's name, `[A-Za-z0-9_-]{1,32}`: the namespace of its tools (`name__tool`).
    public var name: String
    /// How to reach the server.
    public var transport: Transport

    /// Creates the settings of one server.
    public init(name: String, transport: Transport) {
        self.name = name
        self.transport = transport
    }

    /// Whether `name` is usable as a namespace: 1 to 32 of `A-Z a-z 0-9 _ -`.
    public static func isValidName(_ name: String) -> Bool {
        (1...32).contains(name.utf8.count) && name.utf8.allSatisfy(ToolNaming.isNameByte)
    }

    /// `"stdio"` or `"http"`, as reported in ``MCPServerStatus/transport``.
    var transportKind: String {
        switch transport {
        case .stdio: return "stdio"
        case .http: return "http"
        }
    }
}
