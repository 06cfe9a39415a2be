import NeuroLinkSecurity
import Yams

extension ConfigLoader {
    /// `security:` — the preset first, then the file's keys over it; each policy starts from the
    /// result and applies its own `limits`, `injection` and `redaction` keys.
    func parseSecurity(
        _ node: Node,
        _ reader: YAMLReader,
        providers: [ProviderConfig],
        pools: [DaemonConfig.Pool]
    ) throws(ConfigError) -> DaemonConfig.Security {
        var security = DaemonConfig.Security()
        guard !reader.isNull(node) else { return security }
        let map = try reader.mapping(
            node,
            "security",
            allowed: ["preset", "limits", "injection", "redaction", "filters", "audit", "policies"]
        )
        if let n = map["preset"] { security.preset = try reader.choice(n, "security.preset") }
        let targets = Set(providers.map(\.name) + pools.map(\.name))
        security.rules = try parseRules(
            map,
            "security",
            reader,
            base: DaemonConfig.Security.preset(security.preset),
            targets: targets
        )
        if let n = map["filters"] { security.filters = try parseFilters(n, reader) }
        if let n = map["audit"] {
            let audit = try reader.mapping(n, "security.audit", allowed: ["enabled", "path"])
            if let e = audit["enabled"] { security.audit.enabled = try reader.bool(e, "security.audit.enabled") }
            if let p = audit["path"] { security.audit.path = try reader.string(p, "security.audit.path") }
        }
        if let n = map["policies"] {
            for (index, item) in try reader.sequence(n, "security.policies").enumerated() {
                let policy = try parsePolicy(item, "security.policies[\(index)]", reader, security.rules, targets)
                guard !security.policies.contains(where: { $0.name == policy.name }) else {
                    throw reader.error(item, "security.policies[\(index)].name", "\(policy.name) is used twice")
                }
                security.policies.append(policy)
            }
        }
        return security
    }

    /// `limits`, `injection` and `redaction` of `map` over `base`.
    func parseRules(
        _ map: [String: Node],
        _ key: String,
        _ reader: YAMLReader,
        base: SecurityRules,
        targets: Set<String>
    ) throws(ConfigError) -> SecurityRules {
        var rules = base
        if let n = map["limits"] { rules.limits = try parseInputLimits(n, "\(key).limits", reader, base: base.limits) }
        if let n = map["injection"] {
            rules.injection = try parseInjection(n, "\(key).injection", reader, base: base.injection, targets: targets)
        }
        if let n = map["redaction"] {
            rules.redaction = try parseRedaction(n, "\(key).redaction", reader, base: base.redaction)
        }
        return rules
    }

    private func parseInputLimits(
        _ node: Node,
        _ key: String,
        _ reader: YAMLReader,
        base: InputLimits
    ) throws(ConfigError) -> InputLimits {
        var limits = base
        let map = try reader.mapping(
            node,
            key,
            allowed: ["max_prompt_chars", "max_messages", "max_tools", "max_tool_bytes", "roles"]
        )
        if let n = map["max_prompt_chars"] {
            limits.maxPromptCharacters = try reader.int(n, "\(key).max_prompt_chars", range: 1...100_000_000)
        }
        if let n = map["max_messages"] {
            limits.maxMessages = try reader.int(n, "\(key).max_messages", range: 1...100_000)
        }
        if let n = map["max_tools"] { limits.maxTools = try reader.int(n, "\(key).max_tools", range: 0...10_000) }
        if let n = map["max_tool_bytes"] {
            limits.maxToolBytes = try reader.int(n, "\(key).max_tool_bytes", range: 64...16_777_216)
        }
        if let n = map["roles"] {
            let known: Set<String> = ["system", "user", "assistant", "tool"]
            limits.roles = []
            for item in try reader.sequence(n, "\(key).roles") {
                let role = try reader.string(item, "\(key).roles")
                guard known.contains(role) else {
                    throw reader.error(
                        item,
                        "\(key).roles",
                        "\(YAMLReader.shown(role)) is not a role (system, user, assistant, tool)"
                    )
                }
                limits.roles.insert(role)
            }
        }
        return limits
    }

    private func parseInjection(
        _ node: Node,
        _ key: String,
        _ reader: YAMLReader,
        base: InjectionSettings,
        targets: Set<String>
    ) throws(ConfigError) -> InjectionSettings {
        var injection = base
        let map = try reader.mapping(node, key, allowed: ["mode", "threshold", "classifier"])
        if let n = map["mode"] { injection.mode = try reader.choice(n, "\(key).mode") }
        if let n = map["threshold"] { injection.threshold = try reader.double(n, "\(key).threshold", range: 0.05...1) }
        if let n = map["classifier"] {
            guard !reader.isNull(n) else {
                injection.classifier = nil
                return injection
            }
            let classifier = try reader.mapping(n, "\(key).classifier", allowed: ["provider", "model", "timeout_ms"])
            guard let providerNode = classifier["provider"] else {
                throw reader.error(n, "\(key).classifier", "needs a provider (or pool)")
            }
            let provider = try reader.string(providerNode, "\(key).classifier.provider")
            guard targets.contains(provider) else {
                throw reader.error(
                    providerNode,
                    "\(key).classifier.provider",
                    "\(YAMLReader.shown(provider)) is not a configured provider or pool"
                )
            }
            var settings = InjectionSettings.Classifier(provider: provider)
            if let m = classifier["model"] { settings.model = try reader.string(m, "\(key).classifier.model") }
            if let t = classifier["timeout_ms"] {
                settings.timeoutMs = try reader.int(t, "\(key).classifier.timeout_ms", range: 100...120_000)
            }
            injection.classifier = settings
        }
        return injection
    }

    private func parseRedaction(
        _ node: Node,
        _ key: String,
        _ reader: YAMLReader,
        base: RedactionSettings
    ) throws(ConfigError) -> RedactionSettings {
        var redaction = base
        let map = try reader.mapping(node, key, allowed: ["input", "output", "types", "replacements"])
        if let n = map["input"] { redaction.input = try reader.bool(n, "\(key).input") }
        if let n = map["output"] { redaction.output = try reader.bool(n, "\(key).output") }
        let known = PIIKind.allCases.map(\.rawValue)
        func kind(_ item: Node, _ name: String, _ path: String) throws(ConfigError) -> String {
            guard known.contains(name) else {
                throw reader.error(
                    item,
                    path,
                    "\(YAMLReader.shown(name)) is not a detector (\(known.joined(separator: ", ")))"
                )
            }
            return name
        }
        if let n = map["types"] {
            var kinds: Set<String> = []
            for item in try reader.sequence(n, "\(key).types") {
                kinds.insert(try kind(item, try reader.string(item, "\(key).types"), "\(key).types"))
            }
            redaction.kinds = kinds
        }
        if let n = map["replacements"] {
            guard case .mapping(let entries) = n else {
                throw reader.error(n, "\(key).replacements", "expected a mapping of detector to text")
            }
            for (k, v) in entries {
                let name = try kind(k, k.string ?? "", "\(key).replacements")
                let text = try reader.string(v, "\(key).replacements.\(name)")
                guard text.utf8.count <= 64 else {
                    throw reader.error(v, "\(key).replacements.\(name)", "must be at most 64 bytes")
                }
                redaction.replacements[name] = text
            }
        }
        return redaction
    }
}
