import Testing

@testable import NeuroLinkCore

/// `cache.semantic.embedding`: the local model, or a configured provider's embedding endpoint.
@Suite struct SemanticEmbeddingConfigTests {
    static let providers = """
        providers:
          - name: emb
            type: ollama
            base_url: http://127.0.0.1:1
          - name: claude
            type: anthropic
            api_key: sk-ant-test-0123456789
        """

    static func parse(_ embedding: String) throws(ConfigError) -> DaemonConfig {
        try ConfigLoader(environment: [:]).parse(
            providers + "\ncache:\n  semantic:\n    enabled: true\n    embedding: \(embedding)\n",
            file: "cache.yaml"
        )
    }

    @Test func localIsTheDefaultAndCanBeSaid() throws {
        #expect(DaemonConfig.Cache.Semantic().embedding == .local)
        #expect(try Self.parse("local").cache.semantic.embedding == .local)
        #expect(DaemonConfig.Cache.Embedding.local.identity == "local")
    }

    @Test func aProviderWithAnEmbeddingEndpointAndAModel() throws {
        let embedding = try Self.parse("{provider: emb, model: all-minilm}").cache.semantic.embedding
        #expect(embedding == .provider(name: "emb", model: "all-minilm"))
        #expect(embedding.identity == "emb/all-minilm")
    }

    @Test(arguments: [
        ("remote", "expected local or a mapping"),
        ("{provider: emb}", "needs both provider and model"),
        ("{provider: nobody, model: m}", "is not a configured provider"),
        ("{provider: claude, model: m}", "of type anthropic, which has no embedding endpoint"),
        ("{provider: emb, model: m, dims: 3}", "unknown key"),
    ])
    func mistakesAreNamed(embedding: String, message: String) {
        let error = #expect(throws: ConfigError.self) { try Self.parse(embedding) }
        #expect(error?.message.contains(message) == true, "\(String(describing: error))")
        #expect(error?.key?.hasPrefix("cache.semantic.embedding") == true)
    }
}
