import Yams

/// The `routing:` and `pools:` sections.
extension ConfigLoader {
    func parseRouting(_ node: Node, _ reader: YAMLReader) throws(ConfigError) -> DaemonConfig.Routing {
        var routing = DaemonConfig.Routing()
        let map = try reader.mapping(
            node,
            "routing",
            allowed: [
                "max_attempts", "backoff_base_ms", "backoff_max_ms", "max_retry_wait_ms", "retry_budget", "breaker",
                "health_check", "default_pool",
            ]
        )
        if let n = map["max_attempts"] {
            routing.maxAttempts = try reader.int(n, "routing.max_attempts", range: 1...10)
        }
        if let n = map["backoff_base_ms"] {
            routing.backoffBaseMs = try reader.int(n, "routing.backoff_base_ms", range: 1...60_000)
        }
        if let n = map["backoff_max_ms"] {
            routing.backoffMaxMs = try reader.int(n, "routing.backoff_max_ms", range: 1...600_000)
        }
        if let n = map["max_retry_wait_ms"] {
            routing.maxRetryWaitMs = try reader.int(n, "routing.max_retry_wait_ms", range: 0...3_600_000)
        }
        if let n = map["default_pool"] { routing.defaultPool = try reader.string(n, "routing.default_pool") }
        if let n = map["retry_budget"] {
            let budget = try reader.mapping(n, "routing.retry_budget", allowed: ["ratio", "min_retries", "window_ms"])
            if let v = budget["ratio"] {
                routing.retryBudgetRatio = try reader.double(v, "routing.retry_budget.ratio", range: 0...1)
            }
            if let v = budget["min_retries"] {
                routing.retryBudgetMinRetries = try reader.int(
                    v,
                    "routing.retry_budget.min_retries",
                    range: 0...100_000
                )
            }
            if let v = budget["window_ms"] {
                routing.retryBudgetWindowMs = try reader.int(
                    v,
                    "routing.retry_budget.window_ms",
                    range: 1000...3_600_000
                )
            }
        }
        if let n = map["breaker"] { routing.breaker = try parseBreaker(n, reader) }
        if let n = map["health_check"] { routing.healthCheck = try parseHealthCheck(n, reader) }
        return routing
    }

    private func parseBreaker(_ node: Node, _ reader: YAMLReader) throws(ConfigError) -> DaemonConfig.Breaker {
        var breaker = DaemonConfig.Breaker()
        let key = "routing.breaker"
        let map = try reader.mapping(
            node,
            key,
            allowed: [
                "consecutive_failures", "failure_rate_pct", "window", "minimum_calls", "open_ms", "max_open_ms",
                "half_open_probes",
            ]
        )
        if let n = map["consecutive_failures"] {
            breaker.consecutiveFailures = try reader.int(n, "\(key).consecutive_failures", range: 1...10_000)
        }
        if let n = map["failure_rate_pct"] {
            breaker.failureRatePct = try reader.double(n, "\(key).failure_rate_pct", range: 1...100)
        }
        if let n = map["window"] { breaker.window = try reader.int(n, "\(key).window", range: 1...10_000) }
        if let n = map["minimum_calls"] {
            breaker.minimumCalls = try reader.int(n, "\(key).minimum_calls", range: 1...10_000)
        }
        if let n = map["open_ms"] { breaker.openMs = try reader.int(n, "\(key).open_ms", range: 1...86_400_000) }
        if let n = map["max_open_ms"] {
            breaker.maxOpenMs = try reader.int(n, "\(key).max_open_ms", range: 1...86_400_000)
        }
        if let n = map["half_open_probes"] {
            breaker.halfOpenProbes = try reader.int(n, "\(key).half_open_probes", range: 1...1000)
        }
        guard breaker.maxOpenMs >= breaker.openMs else {
            throw reader.error(
                map["max_open_ms"] ?? node,
                "\(key).max_open_ms",
                "must not be less than open_ms (\(breaker.openMs))"
            )
        }
        return breaker
    }

    private func parseHealthCheck(_ node: Node, _ reader: YAMLReader) throws(ConfigError) -> DaemonConfig.HealthCheck {
        var check = DaemonConfig.HealthCheck()
        let key = "routing.health_check"
        let map = try reader.mapping(
            node,
            key,
            allowed: ["interval_ms", "timeout_ms", "unhealthy_threshold", "healthy_threshold"]
        )
        if let n = map["interval_ms"] {
            check.intervalMs = try reader.int(n, "\(key).interval_ms", range: 0...86_400_000)
        }
        if let n = map["timeout_ms"] { check.timeoutMs = try reader.int(n, "\(key).timeout_ms", range: 1...600_000) }
        if let n = map["unhealthy_threshold"] {
            check.unhealthyThreshold = try reader.int(n, "\(key).unhealthy_threshold", range: 1...100)
        }
        if let n = map["healthy_threshold"] {
            check.healthyThreshold = try reader.int(n, "\(key).healthy_threshold", range: 1...100)
        }
        return check
    }

    /// Parses `pools:`; members must name configured providers, pool names must not clash with them.
    func parsePools(
        _ node: Node,
        _ reader: YAMLReader,
        providers: [ProviderConfig],
        timeouts: DaemonConfig.Timeouts
    )
        throws(ConfigError) -> [DaemonConfig.Pool]
    {
        guard !reader.isNull(node) else { return [] }
        var pools: [DaemonConfig.Pool] = []
        for (index, item) in try reader.sequence(node, "pools").enumerated() {
            let key = "pools[\(index)]"
            let map = try reader.mapping(
                item,
                key,
                allowed: ["name", "strategy", "failover", "max_attempts", "members"]
            )
            guard let nameNode = map["name"] else { throw reader.error(item, "\(key).name", "is required") }
            let name = try reader.string(nameNode, "\(key).name")
            guard name != "auto", name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }) else {
                throw reader.error(
                    nameNode,
                    "\(key).name",
                    "must use letters, digits, '-', '_' or '.', and cannot be \"auto\""
                )
            }
            if providers.contains(where: { $0.name == name }) {
                throw reader.error(
                    nameNode,
                    "\(key).name",
                    "\(YAMLReader.shown(name)) is already the name of a provider"
                )
            }
            if let first = pools.firstIndex(where: { $0.name == name }) {
                throw reader.error(
                    nameNode,
                    "\(key).name",
                    "\(YAMLReader.shown(name)) is already used by pools[\(first)]"
                )
            }
            var pool = DaemonConfig.Pool(name: name, members: [])
            if let n = map["strategy"] {
                let strategy = try reader.string(n, "\(key).strategy")
                guard DaemonConfig.Pool.strategies.contains(strategy) else {
                    throw reader.error(
                        n,
                        "\(key).strategy",
                        "must be one of \(DaemonConfig.Pool.strategies.joined(separator: ", "))"
                    )
                }
                pool.strategy = strategy
            }
            if let n = map["failover"] {
                var modes: Set<DaemonConfig.FailoverMode> = []
                for (position, entry) in try reader.sequence(n, "\(key).failover").enumerated() {
                    let text = try reader.string(entry, "\(key).failover[\(position)]")
                    guard let mode = DaemonConfig.FailoverMode(rawValue: text) else {
                        throw reader.error(
                            entry,
                            "\(key).failover[\(position)]",
                            "must be one of \(DaemonConfig.FailoverMode.allCases.map(\.rawValue).joined(separator: ", "))"
                        )
                    }
                    modes.insert(mode)
                }
                pool.failover = modes
            }
            if let n = map["max_attempts"] {
                pool.maxAttempts = try reader.int(n, "\(key).max_attempts", range: 1...10)
            }
            guard let membersNode = map["members"] else { throw reader.error(item, "\(key).members", "is required") }
            let list = try reader.sequence(membersNode, "\(key).members")
            guard !list.isEmpty else {
                throw reader.error(membersNode, "\(key).members", "must list at least one member")
            }
            for (position, memberNode) in list.enumerated() {
                let member = try parseMember(
                    memberNode,
                    "\(key).members[\(position)]",
                    reader,
                    providers: providers,
                    timeouts: timeouts
                )
                if let duplicate = pool.members.firstIndex(where: { $0.label == member.label }) {
                    throw reader.error(
                        memberNode,
                        "\(key).members[\(position)]",
                        "\(member.label) is already members[\(duplicate)] of this pool"
                    )
                }
                pool.members.append(member)
            }
            pools.append(pool)
        }
        return pools
    }

    private func parseMember(
        _ node: Node,
        _ key: String,
        _ reader: YAMLReader,
        providers: [ProviderConfig],
        timeouts: DaemonConfig.Timeouts
    ) throws(ConfigError) -> DaemonConfig.PoolMember {
        let map = try reader.mapping(
            node,
            key,
            allowed: [
                "provider", "model", "weight", "priority", "specializations", "context_window", "thresholds",
                "timeouts",
                "health_check",
            ]
        )
        guard let providerNode = map["provider"] else { throw reader.error(node, "\(key).provider", "is required") }
        let providerName = try reader.string(providerNode, "\(key).provider")
        guard let provider = providers.first(where: { $0.name == providerName }) else {
            throw reader.error(
                providerNode,
                "\(key).provider",
                "\(YAMLReader.shown(providerName)) is not a configured provider (configured: \(providers.map(\.name).joined(separator: ", ")))"
            )
        }
        let model =
            try map["model"].map { n throws(ConfigError) in try reader.string(n, "\(key).model") }
            ?? provider.defaultModel
        guard let model else {
            throw reader.error(
                node,
                "\(key).model",
                "is required: provider \(YAMLReader.shown(providerName)) has no default_model"
            )
        }
        var member = DaemonConfig.PoolMember(provider: providerName, model: model)
        if let n = map["weight"] { member.weight = try reader.int(n, "\(key).weight", range: 1...10_000) }
        if let n = map["priority"] { member.priority = try reader.int(n, "\(key).priority", range: 0...1000) }
        if let n = map["context_window"] {
            member.contextWindow = try reader.int(n, "\(key).context_window", range: 1...100_000_000)
        }
        if let n = map["specializations"] {
            for (position, entry) in try reader.sequence(n, "\(key).specializations").enumerated() {
                member.specializations.insert(try reader.string(entry, "\(key).specializations[\(position)]"))
            }
        }
        if let n = map["thresholds"] {
            let thresholds = try reader.mapping(
                n,
                "\(key).thresholds",
                allowed: ["max_latency_ms", "max_error_rate_pct", "min_throughput_tps"]
            )
            if let v = thresholds["max_latency_ms"] {
                member.maxLatencyMs = try reader.int(v, "\(key).thresholds.max_latency_ms", range: 1...3_600_000)
            }
            if let v = thresholds["max_error_rate_pct"] {
                member.maxErrorRatePct = try reader.double(v, "\(key).thresholds.max_error_rate_pct", range: 0...100)
            }
            if let v = thresholds["min_throughput_tps"] {
                member.minThroughputTps = try reader.double(
                    v,
                    "\(key).thresholds.min_throughput_tps",
                    range: 0...1_000_000
                )
            }
        }
        if let n = map["timeouts"] {
            member.timeouts = try parseTimeouts(n, "\(key).timeouts", reader, base: provider.timeouts ?? timeouts)
        }
        if let n = map["health_check"] {
            let probe = try reader.string(n, "\(key).health_check")
            guard probe == "models" || probe == "completion" else {
                throw reader.error(
                    n,
                    "\(key).health_check",
                    "must be \"models\" (free listing request) or \"completion\" (one-token completion)"
                )
            }
            member.completionProbe = probe == "completion"
        }
        return member
    }
}
