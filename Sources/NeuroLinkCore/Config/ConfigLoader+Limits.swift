import NeuroLinkLimits
import Yams

/// The `rate_limits:` section: settings merged over a preset, see docs/configuration.md §3.8.
extension ConfigLoader {
    /// Keys of `tenants:` that are not tenant names.
    private static let tenantKeywords: Set<String> = ["default", "per_provider", "map"]
    private static let scopeKeys = [
        "requests_per_second", "requests_per_minute", "burst", "tokens_per_minute", "input_tokens_per_minute",
        "output_tokens_per_minute", "max_in_flight",
    ]

    /// Parses `rate_limits:`; provider names must name configured providers.
    func parseRateLimits(
        _ node: Node,
        _ reader: YAMLReader,
        providers: [ProviderConfig]
    )
        throws(ConfigError) -> RateLimitSettings
    {
        var settings = RateLimitSettings()
        let key = "rate_limits"
        let map = try reader.mapping(
            node,
            key,
            allowed: [
                "preset", "global", "providers", "tenants", "queue", "adaptive", "estimation", "provider_headers",
            ]
        )
        if let n = map["preset"] {
            let name = try reader.string(n, "\(key).preset")
            guard let preset = RateLimitPreset(rawValue: name) else {
                let known = RateLimitPreset.allCases.map(\.rawValue).joined(separator: ", ")
                throw reader.error(n, "\(key).preset", "unknown preset \(YAMLReader.shown(name)) (expected: \(known))")
            }
            settings.preset = preset
        }
        if let n = map["global"] { settings.global = try parseScope(n, "\(key).global", reader, extra: []).limits }
        if let n = map["providers"] {
            try parseProviderLimits(n, "\(key).providers", reader, providers: providers, into: &settings)
        }
        if let n = map["tenants"] {
            try parseTenants(n, "\(key).tenants", reader, providers: providers, into: &settings)
        }
        if let n = map["queue"] { settings.queue = try parseQueue(n, "\(key).queue", reader) }
        if let n = map["adaptive"] {
            settings.adaptive = try parseAdaptive(n, "\(key).adaptive", reader, allowShorthand: false)
        }
        if let n = map["estimation"] {
            let estimation = try reader.mapping(
                n,
                "\(key).estimation",
                allowed: ["chars_per_token", "default_output_tokens"]
            )
            if let v = estimation["chars_per_token"] {
                settings.estimation.charsPerToken = try reader.double(
                    v,
                    "\(key).estimation.chars_per_token",
                    range: 0.5...100
                )
            }
            if let v = estimation["default_output_tokens"] {
                settings.estimation.defaultOutputTokens = try reader.int(
                    v,
                    "\(key).estimation.default_output_tokens",
                    range: 0...10_000_000
                )
            }
        }
        if let n = map["provider_headers"] {
            let headers = try reader.mapping(
                n,
                "\(key).provider_headers",
                allowed: ["enabled", "low_watermark", "default_pause_ms"]
            )
            if let v = headers["enabled"] {
                settings.pacing.enabled = try reader.bool(v, "\(key).provider_headers.enabled")
            }
            if let v = headers["low_watermark"] {
                settings.pacing.lowWatermark = try reader.double(
                    v,
                    "\(key).provider_headers.low_watermark",
                    range: 0...1
                )
            }
            if let v = headers["default_pause_ms"] {
                settings.pacing.defaultPause = .milliseconds(
                    try reader.int(v, "\(key).provider_headers.default_pause_ms", range: 0...3_600_000)
                )
            }
        }
        return settings
    }

    /// `providers:` — `default` for every provider, then providers by name.
    private func parseProviderLimits(
        _ node: Node,
        _ key: String,
        _ reader: YAMLReader,
        providers: [ProviderConfig],
        into settings: inout RateLimitSettings
    ) throws(ConfigError) {
        for (name, value) in try entries(node, key, reader) {
            let path = "\(key).\(name.text)"
            if name.text == "default" {
                settings.memberDefaults = try parseScope(value, path, reader, extra: []).limits
                continue
            }
            guard providers.contains(where: { $0.name == name.text }) else {
                throw reader.error(name.node, path, "\(YAMLReader.shown(name.text)) is not a configured provider")
            }
            let parsed = try parseScope(value, path, reader, extra: ["adaptive"])
            var member = MemberLimitSettings(limits: parsed.limits)
            if let adaptive = parsed.extra["adaptive"] {
                member.adaptive = try parseAdaptive(adaptive, "\(path).adaptive", reader, allowShorthand: true)
            }
            settings.members[name.text] = member
        }
    }

    /// `tenants:` — `default`, `per_provider`, `map`, then tenants by name.
    private func parseTenants(
        _ node: Node,
        _ key: String,
        _ reader: YAMLReader,
        providers: [ProviderConfig],
        into settings: inout RateLimitSettings
    ) throws(ConfigError) {
        for (name, value) in try entries(node, key, reader) {
            let path = "\(key).\(name.text)"
            switch name.text {
            case "default":
                settings.tenantDefaults = try parseScope(value, path, reader, extra: []).limits
            case "per_provider":
                settings.tenantMemberDefaults = try parseScope(value, path, reader, extra: []).limits
            case "map":
                settings.tenantMapping = try parseTenantMap(value, path, reader)
            default:
                guard !name.text.contains("/") else {
                    throw reader.error(name.node, path, "tenant names cannot contain \"/\"")
                }
                let parsed = try parseScope(value, path, reader, extra: ["providers"])
                var tenant = TenantLimitSettings(limits: parsed.limits)
                if let perProvider = parsed.extra["providers"] {
                    for (provider, limits) in try entries(perProvider, "\(path).providers", reader) {
                        let providerPath = "\(path).providers.\(provider.text)"
                        guard providers.contains(where: { $0.name == provider.text }) else {
                            throw reader.error(
                                provider.node,
                                providerPath,
                                "\(YAMLReader.shown(provider.text)) is not a configured provider"
                            )
                        }
                        tenant.members[provider.text] = try parseScope(limits, providerPath, reader, extra: []).limits
                    }
                }
                settings.tenants[name.text] = tenant
            }
        }
    }

    /// One scope's limits; `extra` names further keys the caller handles (returned unparsed).
    private func parseScope(
        _ node: Node,
        _ key: String,
        _ reader: YAMLReader,
        extra: Set<String>
    )
        throws(ConfigError) -> (limits: ScopeLimitSettings, extra: [String: Node])
    {
        let map = try reader.mapping(node, key, allowed: Set(Self.scopeKeys).union(extra))
        var limits = ScopeLimitSettings()
        if map["requests_per_second"] != nil, let perMinute = map["requests_per_minute"] {
            throw reader.error(
                perMinute,
                "\(key).requests_per_minute",
                "give requests_per_second or requests_per_minute, not both"
            )
        }
        if let n = map["requests_per_second"] {
            limits.requestRate = try limit(n, "\(key).requests_per_second", reader) { node, path throws(ConfigError) in
                Rate.perSecond(try reader.double(node, path, range: 0.001...1_000_000))
            }
        }
        if let n = map["requests_per_minute"] {
            limits.requestRate = try limit(n, "\(key).requests_per_minute", reader) { node, path throws(ConfigError) in
                Rate.perMinute(try reader.int(node, path, range: 1...60_000_000))
            }
        }
        if let n = map["burst"] { limits.burst = try reader.int(n, "\(key).burst", range: 0...1_000_000) }
        let tokens = { (node: Node, path: String) throws(ConfigError) -> Int in
            try reader.int(node, path, range: 1...1_000_000_000_000)
        }
        if let n = map["tokens_per_minute"] {
            limits.tokensPerMinute = try limit(n, "\(key).tokens_per_minute", reader, tokens)
        }
        if let n = map["input_tokens_per_minute"] {
            limits.inputTokensPerMinute = try limit(n, "\(key).input_tokens_per_minute", reader, tokens)
        }
        if let n = map["output_tokens_per_minute"] {
            limits.outputTokensPerMinute = try limit(n, "\(key).output_tokens_per_minute", reader, tokens)
        }
        if let n = map["max_in_flight"] {
            limits.maxInFlight = try limit(n, "\(key).max_in_flight", reader) { node, path throws(ConfigError) in
                try reader.int(node, path, range: 1...1_000_000)
            }
        }
        return (limits, map.filter { extra.contains($0.key) })
    }

    /// `unlimited`, or a value `parse` reads.
    private func limit<Value>(
        _ node: Node,
        _ key: String,
        _ reader: YAMLReader,
        _ parse: (Node, String) throws(ConfigError) -> Value
    ) throws(ConfigError) -> LimitSetting<Value> {
        if case .scalar(let scalar) = node, scalar.string == "unlimited" { return .unlimited }
        return .limit(try parse(node, key))
    }

    private func parseQueue(
        _ node: Node,
        _ key: String,
        _ reader: YAMLReader
    ) throws(ConfigError) -> QueueSettings.Overrides {
        var queue = QueueSettings.Overrides()
        let map = try reader.mapping(
            node,
            key,
            allowed: [
                "strategy", "max_queue_size", "max_queue_wait_ms", "priority", "default_priority",
            ]
        )
        if let n = map["strategy"] {
            let name = try reader.string(n, "\(key).strategy")
            guard let strategy = QueueSettings.Strategy(rawValue: name) else {
                throw reader.error(n, "\(key).strategy", "must be reject or queue")
            }
            queue.strategy = strategy
        }
        if let n = map["max_queue_size"] {
            queue.maxSize = try reader.int(n, "\(key).max_queue_size", range: 1...1_000_000)
        }
        if let n = map["max_queue_wait_ms"] {
            queue.maxWait = .milliseconds(try reader.int(n, "\(key).max_queue_wait_ms", range: 1...3_600_000))
        }
        if let n = map["priority"] { queue.priorityEnabled = try reader.bool(n, "\(key).priority") }
        if let n = map["default_priority"] {
            queue.defaultPriority = try reader.int(n, "\(key).default_priority", range: QueueSettings.priorities)
        }
        return queue
    }

    /// Adaptive settings; with `allowShorthand`, `true`/`false` alone switch adaptation on or off.
    private func parseAdaptive(
        _ node: Node,
        _ key: String,
        _ reader: YAMLReader,
        allowShorthand: Bool
    )
        throws(ConfigError) -> AdaptiveSettings.Overrides
    {
        if allowShorthand, case .scalar = node {
            return AdaptiveSettings.Overrides(enabled: try reader.bool(node, key))
        }
        var adaptive = AdaptiveSettings.Overrides()
        let map = try reader.mapping(
            node,
            key,
            allowed: [
                "enabled", "target_response_time_ms", "min_limit", "max_limit", "initial_limit", "decrease_factor",
                "increment",
            ]
        )
        if let n = map["enabled"] { adaptive.enabled = try reader.bool(n, "\(key).enabled") }
        if let n = map["target_response_time_ms"] {
            adaptive.targetResponseTime = .milliseconds(
                try reader.int(n, "\(key).target_response_time_ms", range: 1...600_000)
            )
        }
        if let n = map["min_limit"] { adaptive.minLimit = try reader.int(n, "\(key).min_limit", range: 1...1_000_000) }
        if let n = map["max_limit"] { adaptive.maxLimit = try reader.int(n, "\(key).max_limit", range: 1...1_000_000) }
        if let n = map["initial_limit"] {
            adaptive.initialLimit = try reader.int(n, "\(key).initial_limit", range: 1...1_000_000)
        }
        if let n = map["decrease_factor"] {
            adaptive.decreaseFactor = try reader.double(n, "\(key).decrease_factor", range: 0.1...0.99)
        }
        if let n = map["increment"] {
            adaptive.increment = try reader.double(n, "\(key).increment", range: 0.01...1000)
        }
        if let low = adaptive.minLimit, let high = adaptive.maxLimit, low > high {
            throw reader.error(map["max_limit"], "\(key).max_limit", "must not be less than min_limit (\(low))")
        }
        return adaptive
    }

    private func parseTenantMap(_ node: Node, _ key: String, _ reader: YAMLReader) throws(ConfigError) -> TenantMapping
    {
        var mapping = TenantMapping()
        let map = try reader.mapping(node, key, allowed: ["uids", "users", "gids", "user_id_sub_keys"])
        func ids(_ node: Node, _ key: String) throws(ConfigError) -> [UInt32: String] {
            var result: [UInt32: String] = [:]
            for (id, tenant) in try entries(node, key, reader) {
                guard let value = UInt32(id.text) else {
                    throw reader.error(id.node, key, "\(YAMLReader.shown(id.text)) is not a numeric id")
                }
                result[value] = try tenantName(tenant, "\(key).\(id.text)", reader)
            }
            return result
        }
        if let n = map["uids"] { mapping.uids = try ids(n, "\(key).uids") }
        if let n = map["gids"] { mapping.gids = try ids(n, "\(key).gids") }
        if let n = map["users"] {
            for (user, tenant) in try entries(n, "\(key).users", reader) {
                mapping.users[user.text] = try tenantName(tenant, "\(key).users.\(user.text)", reader)
            }
        }
        if let n = map["user_id_sub_keys"] { mapping.userIdSubKeys = try reader.bool(n, "\(key).user_id_sub_keys") }
        return mapping
    }

    private func tenantName(_ node: Node, _ key: String, _ reader: YAMLReader) throws(ConfigError) -> String {
        let name = try reader.string(node, key)
        guard !name.contains("/") else { throw reader.error(node, key, "tenant names cannot contain \"/\"") }
        return name
    }

    /// A mapping's entries in file order, keys as text (numeric keys such as uids included).
    private func entries(
        _ node: Node,
        _ key: String,
        _ reader: YAMLReader
    )
        throws(ConfigError) -> [(name: (text: String, node: Node), value: Node)]
    {
        guard case .mapping(let mapping) = node else { throw reader.error(node, key, "expected a mapping") }
        var result: [(name: (text: String, node: Node), value: Node)] = []
        var seen: Set<String> = []
        for (name, value) in mapping {
            guard case .scalar(let scalar) = name, !scalar.string.isEmpty else {
                throw reader.error(name, key, "keys must be non-empty strings")
            }
            guard seen.insert(scalar.string).inserted else {
                throw reader.error(name, "\(key).\(scalar.string)", "duplicate key")
            }
            result.append(((scalar.string, name), value))
        }
        return result
    }
}
