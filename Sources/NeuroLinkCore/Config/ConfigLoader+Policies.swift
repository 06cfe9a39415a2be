import NeuroLinkSecurity
import Yams

extension ConfigLoader {
    /// One entry of `security.policies`, over the `security` rules (`defaults`).
    func parsePolicy(
        _ node: Node,
        _ key: String,
        _ reader: YAMLReader,
        _ defaults: SecurityRules,
        _ targets: Set<String>
    ) throws(ConfigError) -> SecurityPolicy {
        let map = try reader.mapping(
            node,
            key,
            allowed: [
                "name", "match", "methods", "providers", "pools", "models", "tools", "max_tokens", "features",
                "limits", "injection", "redaction",
            ]
        )
        guard let nameNode = map["name"] else { throw reader.error(node, "\(key).name", "every policy needs a name") }
        var policy = SecurityPolicy(name: try reader.string(nameNode, "\(key).name"))
        if let n = map["match"] { policy.match = try parseMatch(n, "\(key).match", reader) }
        if let n = map["methods"] { policy.methods = try parseAllowList(n, "\(key).methods", reader) }
        if let n = map["providers"] { policy.providers = try parseAllowList(n, "\(key).providers", reader) }
        if let n = map["pools"] { policy.pools = try parseAllowList(n, "\(key).pools", reader) }
        if let n = map["models"] { policy.models = try parseAllowList(n, "\(key).models", reader) }
        if let n = map["tools"] { policy.tools = try parseAllowList(n, "\(key).tools", reader) }
        if let n = map["max_tokens"] {
            policy.maxTokens = try reader.int(n, "\(key).max_tokens", range: 1...10_000_000)
        }
        if let n = map["features"] {
            let features = try reader.mapping(n, "\(key).features", allowed: ["tools", "evaluation", "semantic_cache"])
            if let f = features["tools"] { policy.features.tools = try reader.bool(f, "\(key).features.tools") }
            if let f = features["evaluation"] {
                policy.features.evaluation = try reader.bool(f, "\(key).features.evaluation")
            }
            if let f = features["semantic_cache"] {
                policy.features.semanticCache = try reader.bool(f, "\(key).features.semantic_cache")
            }
        }
        policy.rules = try parseRules(map, key, reader, base: defaults, targets: targets)
        return policy
    }

    private func parseMatch(
        _ node: Node,
        _ key: String,
        _ reader: YAMLReader
    ) throws(ConfigError) -> SecurityPolicy.Match {
        var match = SecurityPolicy.Match()
        let map = try reader.mapping(node, key, allowed: ["tenants", "uids", "groups"])
        if let n = map["tenants"] { match.tenants = Set(try strings(n, "\(key).tenants", reader)) }
        if let n = map["groups"] { match.groups = Set(try strings(n, "\(key).groups", reader)) }
        if let n = map["uids"] {
            for item in try reader.sequence(n, "\(key).uids") {
                match.uids.insert(UInt32(try reader.int(item, "\(key).uids", range: 0...Int(UInt32.max - 1))))
            }
        }
        return match
    }

    private func parseAllowList(
        _ node: Node,
        _ key: String,
        _ reader: YAMLReader
    ) throws(ConfigError) -> SecurityPolicy.AllowList {
        let map = try reader.mapping(node, key, allowed: ["allow", "deny"])
        return SecurityPolicy.AllowList(
            allow: try map["allow"].map { n throws(ConfigError) in try strings(n, "\(key).allow", reader) } ?? [],
            deny: try map["deny"].map { n throws(ConfigError) in try strings(n, "\(key).deny", reader) } ?? []
        )
    }

    private func strings(_ node: Node, _ key: String, _ reader: YAMLReader) throws(ConfigError) -> [String] {
        try reader.sequence(node, key).map { item throws(ConfigError) in try reader.string(item, key) }
    }

    /// `security.filters`: each a `term` or a `regex` (with `max_length`), an `action` and a
    /// `replacement`; the id is `id`, else `filters[N]`.
    func parseFilters(_ node: Node, _ reader: YAMLReader) throws(ConfigError) -> ContentFilterRules {
        var rules: [ContentFilterRule] = []
        for (index, item) in try reader.sequence(node, "security.filters").enumerated() {
            let key = "security.filters[\(index)]"
            let map = try reader.mapping(
                item,
                key,
                allowed: ["id", "term", "regex", "max_length", "action", "replacement"]
            )
            let id =
                try map["id"].map { n throws(ConfigError) in try reader.string(n, "\(key).id") } ?? "filters[\(index)]"
            let stop =
                try map["action"].map { n throws(ConfigError) in
                    let action = try reader.string(n, "\(key).action")
                    guard action == "replace" || action == "stop" else {
                        throw reader.error(n, "\(key).action", "expected replace or stop")
                    }
                    return action == "stop"
                } ?? false
            let replacement = try map["replacement"].map { n throws(ConfigError) in
                try reader.string(n, "\(key).replacement")
            }
            let action: ContentFilterRule.Action =
                stop ? .stop : .replace(with: replacement ?? ContentFilterRule.defaultReplacement)
            switch (map["term"], map["regex"]) {
            case (let term?, nil):
                rules.append(.term(try reader.string(term, "\(key).term"), id: id, action: action))
            case (nil, let regex?):
                let maxLength = try map["max_length"].map { n throws(ConfigError) in
                    try reader.int(n, "\(key).max_length", range: 1...ContentFilterRules.maximumPatternWindow)
                }
                rules.append(
                    .pattern(
                        try reader.string(regex, "\(key).regex"),
                        maxMatchLength: maxLength ?? 256,
                        id: id,
                        action: action
                    )
                )
            default:
                throw reader.error(item, key, "needs exactly one of term and regex")
            }
            do {
                try ContentFilterRules(rules: [rules[rules.count - 1]]).validate()
            } catch {
                throw reader.error(item, key, "\(error)")
            }
        }
        return ContentFilterRules(rules: rules)
    }
}
