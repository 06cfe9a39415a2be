import Yams

extension DaemonConfig {
    /// `evaluation:`: the judge model that scores answers of requests with `enableEvaluation`
    /// (docs/configuration.md, "evaluation").
    public struct Evaluation: Sendable, Hashable {
        /// A provider or pool; `nil`: the provider that answered.
        public var provider: String?
        /// `nil`: the provider's `default_model` when `provider` is set, else the model that answered.
        public var model: String?
        /// How long the judging may take, queueing included, before the answer goes without scores.
        public var timeoutMs = 30_000
        /// Most tokens the judge may write.
        public var maxTokens = 512
        /// Most characters of the conversation, and of the answer, shown to the judge.
        public var maxInputCharacters = 32_000
        public init() {}
    }
}

extension ConfigLoader {
    func parseEvaluation(
        _ node: Node,
        _ reader: YAMLReader,
        providers: [ProviderConfig],
        pools: [DaemonConfig.Pool]
    ) throws(ConfigError) -> DaemonConfig.Evaluation {
        var evaluation = DaemonConfig.Evaluation()
        guard !reader.isNull(node) else { return evaluation }
        let map = try reader.mapping(
            node,
            "evaluation",
            allowed: ["provider", "model", "timeout_ms", "max_tokens", "max_input_chars"]
        )
        if let n = map["provider"] {
            let name = try reader.string(n, "evaluation.provider")
            guard providers.contains(where: { $0.name == name }) || pools.contains(where: { $0.name == name }) else {
                throw reader.error(
                    n,
                    "evaluation.provider",
                    "\(YAMLReader.shown(name)) is not a configured provider or pool"
                )
            }
            evaluation.provider = name
        }
        if let n = map["model"] { evaluation.model = try reader.string(n, "evaluation.model") }
        if let n = map["timeout_ms"] {
            evaluation.timeoutMs = try reader.int(n, "evaluation.timeout_ms", range: 100...600_000)
        }
        if let n = map["max_tokens"] {
            evaluation.maxTokens = try reader.int(n, "evaluation.max_tokens", range: 64...32_768)
        }
        if let n = map["max_input_chars"] {
            evaluation.maxInputCharacters = try reader.int(n, "evaluation.max_input_chars", range: 1_000...1_000_000)
        }
        return evaluation
    }
}
