import NeuroLinkProtocol
import Yams

extension DaemonConfig {
    /// `tools:`: the tools the daemon runs itself (docs/configuration.md, "tools").
    public struct Tools: Sendable, Hashable {
        /// Offer the built-in tools (`getCurrentTime`, `calculateMath`, and the file tools when
        /// `file_roots` is set).
        public var builtIn = true
        /// Directories `readFile` and `listDirectory` may read below; empty: no file tools.
        public var fileRoots: [String] = []
        /// Longest a tool may run.
        public var timeoutMs = 10_000
        /// Longest output a tool may return; longer output is cut and says so.
        public var maxOutputBytes = 65_536
        /// Most model turns a request's tool loop takes when the request sends no `maxSteps`.
        public var maxSteps = 5
        /// Longest the daemon waits for a client's `tool.result`.
        public var clientTimeoutMs = 60_000
        /// Most tool calls of one model turn run at once; the rest wait for a slot.
        public var maxParallelCalls = 8
        /// MCP servers whose tools the daemon runs too (started with the daemon; a change takes
        /// effect at restart).
        public var mcpServers: [MCPServer] = []
        public init() {}
    }

    /// One entry of `tools.mcp_servers`.
    public struct MCPServer: Sendable, Hashable {
        /// 1-32 letters, digits, `_` or `-`: the prefix of its tools' names (`NAME__tool`).
        public var name: String
        public var transport: Transport

        public enum Transport: Sendable, Hashable {
            /// A child process speaking MCP on its standard input and output. Values of
            /// `environment` written `env:NAME` are read from the daemon's environment at start.
            case stdio(command: String, arguments: [String], environment: [String: String])
            /// A Streamable HTTP endpoint; header values may be `env:NAME` too.
            case http(url: String, headers: [String: String])
        }

        public init(name: String, transport: Transport) {
            self.name = name
            self.transport = transport
        }
    }
}

extension ConfigLoader {
    func parseTools(_ node: Node, _ reader: YAMLReader) throws(ConfigError) -> DaemonConfig.Tools {
        var tools = DaemonConfig.Tools()
        guard !reader.isNull(node) else { return tools }
        let map = try reader.mapping(
            node,
            "tools",
            allowed: [
                "builtin", "file_roots", "timeout_ms", "max_output_bytes", "max_steps", "client_timeout_ms",
                "max_parallel_calls", "mcp_servers",
            ]
        )
        if let n = map["builtin"] { tools.builtIn = try reader.bool(n, "tools.builtin") }
        if let n = map["file_roots"] {
            tools.fileRoots = try reader.sequence(n, "tools.file_roots").map { item throws(ConfigError) in
                let path = try reader.string(item, "tools.file_roots")
                guard path.hasPrefix("/") else {
                    throw reader.error(item, "tools.file_roots", "\(YAMLReader.shown(path)) must be an absolute path")
                }
                return path
            }
        }
        if let n = map["timeout_ms"] { tools.timeoutMs = try reader.int(n, "tools.timeout_ms", range: 10...600_000) }
        if let n = map["max_output_bytes"] {
            tools.maxOutputBytes = try reader.int(n, "tools.max_output_bytes", range: 256...16_777_216)
        }
        if let n = map["max_steps"] {
            tools.maxSteps = try reader.int(n, "tools.max_steps", range: 1...StreamRequest.maxToolSteps)
        }
        if let n = map["client_timeout_ms"] {
            tools.clientTimeoutMs = try reader.int(n, "tools.client_timeout_ms", range: 10...3_600_000)
        }
        if let n = map["max_parallel_calls"] {
            tools.maxParallelCalls = try reader.int(n, "tools.max_parallel_calls", range: 1...64)
        }
        if let n = map["mcp_servers"] { tools.mcpServers = try parseMCPServers(n, reader) }
        return tools
    }

    private func parseMCPServers(_ node: Node, _ reader: YAMLReader) throws(ConfigError) -> [DaemonConfig.MCPServer] {
        var servers: [DaemonConfig.MCPServer] = []
        for (index, item) in try reader.sequence(node, "tools.mcp_servers").enumerated() {
            let key = "tools.mcp_servers[\(index)]"
            let map = try reader.mapping(item, key, allowed: ["name", "command", "args", "env", "url", "headers"])
            guard let nameNode = map["name"] else {
                throw reader.error(item, "\(key).name", "every MCP server needs a name")
            }
            let name = try reader.string(nameNode, "\(key).name")
            guard (1...32).contains(name.utf8.count), name.utf8.allSatisfy(Self.isNameByte),
                !servers.contains(where: { $0.name == name })
            else {
                throw reader.error(nameNode, "\(key).name", "must be 1-32 letters, digits, '_' or '-', and unique")
            }
            servers.append(DaemonConfig.MCPServer(name: name, transport: try parseTransport(map, key, item, reader)))
        }
        return servers
    }

    private func parseTransport(
        _ map: [String: Node],
        _ key: String,
        _ node: Node,
        _ reader: YAMLReader
    ) throws(ConfigError) -> DaemonConfig.MCPServer.Transport {
        switch (map["command"], map["url"]) {
        case (let command?, nil):
            let arguments = try map["args"].map { n throws(ConfigError) in
                try reader.sequence(n, "\(key).args").map { a throws(ConfigError) in try reader.string(a, "\(key).args")
                }
            }
            return .stdio(
                command: try reader.string(command, "\(key).command"),
                arguments: arguments ?? [],
                environment: try stringMap(map["env"], "\(key).env", reader)
            )
        case (nil, let url?):
            let text = try reader.string(url, "\(key).url")
            guard text.hasPrefix("http://") || text.hasPrefix("https://") else {
                throw reader.error(url, "\(key).url", "must be an http:// or https:// URL")
            }
            return .http(url: text, headers: try stringMap(map["headers"], "\(key).headers", reader))
        default:
            throw reader.error(node, key, "needs exactly one of command (stdio) and url (Streamable HTTP)")
        }
    }

    private func stringMap(_ node: Node?, _ key: String, _ reader: YAMLReader) throws(ConfigError) -> [String: String] {
        guard let node, !reader.isNull(node) else { return [:] }
        guard case .mapping(let mapping) = node else { throw reader.error(node, key, "expected a mapping") }
        var result: [String: String] = [:]
        for (name, value) in mapping {
            guard let text = name.string, result[text] == nil else {
                throw reader.error(name, key, "keys must be distinct strings")
            }
            result[text] = try reader.string(value, "\(key).\(text)")
        }
        return result
    }

    private static func isNameByte(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
            || byte == 0x5F || byte == 0x2D
    }
}
