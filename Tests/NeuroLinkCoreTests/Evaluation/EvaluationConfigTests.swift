import NeuroLinkCore
import Testing

/// `evaluation:` in the configuration.
@Suite struct EvaluationConfigTests {
    private let providers = """
        providers:
          - name: a
            type: openai-compatible
            base_url: http://127.0.0.1:1/v1
            default_model: m

        """

    @Test func defaultsAndValues() throws {
        let loader = ConfigLoader(environment: [:])
        let defaults = try loader.parse(providers, file: nil).evaluation
        #expect(defaults.provider == nil && defaults.model == nil && defaults.timeoutMs == 30_000)
        let set = try loader.parse(
            providers + "evaluation:\n  provider: a\n  model: judge\n  timeout_ms: 5000\n  max_tokens: 256\n",
            file: nil
        ).evaluation
        #expect(set.provider == "a" && set.model == "judge" && set.timeoutMs == 5_000 && set.maxTokens == 256)
    }

    @Test(arguments: [
        ("evaluation:\n  provider: nope\n", "evaluation.provider"),
        ("evaluation:\n  timeout_ms: 10\n", "evaluation.timeout_ms"),
        ("evaluation:\n  judge: a\n", "judge"),
    ])
    func mistakesNameTheKey(yaml: String, key: String) {
        #expect {
            try ConfigLoader(environment: [:]).parse(providers + yaml, file: "t.yaml")
        } throws: { error in
            "\(error)".contains(key)
        }
    }
}
