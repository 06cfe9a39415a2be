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
        public init() {}
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
                "max_parallel_calls",
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
        return tools
    }
}
