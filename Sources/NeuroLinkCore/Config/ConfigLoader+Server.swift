import Yams

extension ConfigLoader {
    func parseServer(_ node: Node, _ reader: YAMLReader) throws(ConfigError) -> DaemonConfig.Server {
        var server = DaemonConfig.Server()
        let map = try reader.mapping(
            node,
            "server",
            allowed: [
                "socket", "socket_mode", "max_frame_bytes", "drain_timeout_ms", "stream_buffer_bytes",
                "stream_memory_budget_bytes", "max_paused_ms", "max_connections", "max_connections_per_uid",
                "max_requests_per_connection", "max_requests_per_tenant", "frame_read_timeout_ms", "admin_group",
            ]
        )
        if let n = map["socket"] { server.socketPath = try reader.string(n, "server.socket") }
        if let n = map["socket_mode"] {
            let text = try reader.string(n, "server.socket_mode")
            guard let mode = UInt16(text, radix: 8), mode <= 0o777 else {
                throw reader.error(n, "server.socket_mode", "must be an octal file mode such as \"0660\"")
            }
            server.socketMode = mode
        }
        if let n = map["admin_group"] { server.adminGroup = try reader.string(n, "server.admin_group") }
        try parseServerNumbers(map, reader, into: &server)
        return server
    }

    private func parseServerNumbers(
        _ map: [String: Node],
        _ reader: YAMLReader,
        into server: inout DaemonConfig.Server
    ) throws(ConfigError) {
        let numbers: [(String, ClosedRange<Int>, WritableKeyPath<DaemonConfig.Server, Int>)] = [
            ("max_frame_bytes", 1024...1 << 30, \.maxFrameBytes),
            ("drain_timeout_ms", 0...3_600_000, \.drainTimeoutMs),
            ("stream_buffer_bytes", 16 * 1024...64 << 20, \.streamBufferBytes),
            ("stream_memory_budget_bytes", 1 << 20...16 << 30, \.streamMemoryBudgetBytes),
            ("max_paused_ms", 0...86_400_000, \.maxPausedMs),
            ("max_connections", 1...1_000_000, \.maxConnections),
            ("max_connections_per_uid", 1...1_000_000, \.maxConnectionsPerUid),
            ("max_requests_per_connection", 1...1_000_000, \.maxRequestsPerConnection),
            ("max_requests_per_tenant", 1...1_000_000, \.maxRequestsPerTenant),
            ("frame_read_timeout_ms", 100...3_600_000, \.frameReadTimeoutMs),
        ]
        for (key, range, path) in numbers {
            guard let n = map[key] else { continue }
            server[keyPath: path] = try reader.int(n, "server.\(key)", range: range)
        }
    }

    func parseLimits(_ node: Node, _ reader: YAMLReader) throws(ConfigError) -> DaemonConfig.Limits {
        var limits = DaemonConfig.Limits()
        let map = try reader.mapping(node, "limits", allowed: ["max_answer_bytes"])
        if let n = map["max_answer_bytes"] {
            limits.maxAnswerBytes = try reader.int(n, "limits.max_answer_bytes", range: 1024...1 << 30)
        }
        return limits
    }
}
