/// What NeuroLink knows about each provider type: default endpoints, the environment variables
/// users already have in their `.env` files, the order `auto` prefers, and request aliases.
public enum ProviderCatalog {
    /// A named OpenAI-compatible service: `type: groq` in the config means the OpenAI wire format
    /// at Groq's base URL with `GROQ_API_KEY`.
    public struct Preset: Sendable, Hashable {
        public var name: String
        public var baseURL: String
        /// Where the key is read from; `nil` for local servers that need none.
        public var keyEnvironment: String?
        /// Environment variable that overrides the base URL.
        public var baseURLEnvironment: String?

        /// Local servers (LM Studio, llama.cpp, vLLM, LiteLLM) usually run without a key.
        public var keyOptional: Bool { baseURL.hasPrefix("http://127.0.0.1") }
    }

    public static let presets: [Preset] = [
        Preset(name: "mistral", baseURL: "https://api.mistral.ai/v1", keyEnvironment: "MISTRAL_API_KEY"),
        Preset(name: "groq", baseURL: "https://api.groq.com/openai/v1", keyEnvironment: "GROQ_API_KEY"),
        Preset(name: "openrouter", baseURL: "https://openrouter.ai/api/v1", keyEnvironment: "OPENROUTER_API_KEY"),
        Preset(name: "deepseek", baseURL: "https://api.deepseek.com/v1", keyEnvironment: "DEEPSEEK_API_KEY"),
        Preset(name: "together-ai", baseURL: "https://api.together.xyz/v1", keyEnvironment: "TOGETHER_API_KEY"),
        Preset(
            name: "fireworks",
            baseURL: "https://api.fireworks.ai/inference/v1",
            keyEnvironment: "FIREWORKS_API_KEY"
        ),
        Preset(name: "xai", baseURL: "https://api.x.ai/v1", keyEnvironment: "XAI_API_KEY"),
        Preset(name: "perplexity", baseURL: "https://api.perplexity.ai", keyEnvironment: "PERPLEXITY_API_KEY"),
        Preset(
            name: "lm-studio",
            baseURL: "http://127.0.0.1:1234/v1",
            keyEnvironment: nil,
            baseURLEnvironment: "LM_STUDIO_BASE_URL"
        ),
        Preset(
            name: "llamacpp",
            baseURL: "http://127.0.0.1:8080/v1",
            keyEnvironment: nil,
            baseURLEnvironment: "LLAMACPP_BASE_URL"
        ),
        Preset(
            name: "vllm",
            baseURL: "http://127.0.0.1:8000/v1",
            keyEnvironment: "VLLM_API_KEY",
            baseURLEnvironment: "VLLM_BASE_URL"
        ),
        Preset(
            name: "litellm",
            baseURL: "http://127.0.0.1:4000/v1",
            keyEnvironment: "LITELLM_API_KEY",
            baseURLEnvironment: "LITELLM_BASE_URL"
        ),
    ]

    public static func preset(named name: String) -> Preset? {
        presets.first { $0.name == name }
    }

    /// Names a request may use for a provider type instead of a configured provider's name.
    public static let aliases: [String: ProviderType] = [
        "claude": .anthropic, "anthropic": .anthropic,
        "gemini": .googleAI, "google": .googleAI, "google-ai": .googleAI,
        "gpt": .openai, "openai": .openai,
        "azure": .azure, "azure-openai": .azure,
        "local": .ollama, "ollama": .ollama,
        "aws": .bedrock, "bedrock": .bedrock,
        "vertex": .vertex, "vertex-ai": .vertex,
        "sagemaker": .sagemaker,
    ]

    /// The order in which `auto` tries provider types when the configuration comes from the
    /// environment alone: hosted frontier APIs first, then presets, then local servers.
    public static let autoPreference: [ProviderType] = [
        .openai, .anthropic, .googleAI, .vertex, .azure, .bedrock, .sagemaker, .openaiCompatible, .ollama,
    ]

    /// The environment variables that hold a Google AI key, in the order they are tried.
    public static let googleKeyEnvironment = ["GOOGLE_AI_API_KEY", "GOOGLE_GENERATIVE_AI_API_KEY", "GEMINI_API_KEY"]
}
