import Foundation
import NeuroLinkCore
import NeuroLinkProtocol
import NeuroLinkProviders
import Testing

private func registry(_ providers: [ProviderConfig], defaultProvider: String = "auto") -> ProviderRegistry {
    var config = DaemonConfig()
    config.providers = providers
    config.defaults.provider = defaultProvider
    return ProviderRegistry(config: config)
}

/// An `openai` provider whose `api_key_env` variable was not set.
private let openAIWithoutKey = ProviderConfig(
    name: "openai",
    type: .openai,
    baseURL: "https://api.openai.com/v1",
    credentialSource: .environment("OPENAI_API_KEY")
)
private let openAIWithKey = ProviderConfig(
    name: "openai",
    type: .openai,
    baseURL: "https://api.openai.com/v1",
    credentialSource: .environment("OPENAI_API_KEY"),
    apiKey: Secret("sk-live-abcdef1234567890"),
    defaultModel: "gpt-4o-mini"
)
private let local = ProviderConfig(name: "local", type: .openaiCompatible, baseURL: "http://127.0.0.1:11434/v1")
private let localWithoutKey = ProviderConfig(
    name: "groq",
    type: .openaiCompatible,
    baseURL: "https://api.groq.com/openai/v1",
    credentialSource: .environment("GROQ_API_KEY")
)

@Suite struct ProviderRegistryTests {
    @Test func autoPicksFirstProvider() throws {
        let r = registry([openAIWithKey, local])
        #expect(try r.resolve("auto").entry.config.name == "openai")
        #expect(try r.resolve(nil).entry.config.name == "openai")
    }

    @Test func autoSkipsProvidersWithoutCredentials() throws {
        let r = registry([openAIWithoutKey, localWithoutKey, local])
        #expect(try r.resolve("auto").entry.config.name == "local")
    }

    @Test func namedProviderIsResolved() throws {
        let r = registry([openAIWithKey, local])
        let entry = try r.resolve("local").entry
        #expect(entry.config.name == "local")
        #expect(entry.adapter.endpoint.baseURL == "http://127.0.0.1:11434/v1")
    }

    @Test func defaultProviderIsUsedWhenNoneRequested() throws {
        let r = registry([openAIWithKey, local], defaultProvider: "local")
        #expect(try r.resolve(nil).entry.config.name == "local")
        #expect(try r.resolve("auto").entry.config.name == "openai")
    }

    @Test func unknownNameIsProviderNotFound() {
        let r = registry([openAIWithKey, local])
        let error = #expect(throws: RPCError.self) { try r.resolve("anthropic") }
        #expect(error?.type == .providerNotFound)
        #expect(error?.code == ErrorType.providerNotFound.code)
        #expect(error?.data.retryable == false)
        #expect(error?.message.contains("anthropic") == true)
        #expect(error?.message.contains("openai, local") == true, "message: \(error?.message ?? "-")")
    }

    @Test func unknownNameWithNoProviders() {
        let error = #expect(throws: RPCError.self) { try registry([]).resolve("x") }
        #expect(error?.type == .providerNotFound)
        #expect(error?.message.contains("none") == true)
    }

    @Test(arguments: ["auto", nil] as [String?])
    func noProvidersIsNoProviderAvailable(_ requested: String?) {
        let error = #expect(throws: RPCError.self) { try registry([]).resolve(requested) }
        #expect(error?.type == .noProviderAvailable)
        #expect(error?.code == ErrorType.noProviderAvailable.code)
        #expect(error?.message.contains("OPENAI_API_KEY") == true)
    }

    @Test func autoWithoutUsableProviderIsNoProviderAvailable() {
        let error = #expect(throws: RPCError.self) {
            try registry([openAIWithoutKey, localWithoutKey]).resolve("auto")
        }
        #expect(error?.type == .noProviderAvailable)
        #expect(
            error?.message.contains("openai: no credentials (env:OPENAI_API_KEY)") == true,
            "message: \(error?.message ?? "-")"
        )
        #expect(error?.message.contains("groq: no credentials (env:GROQ_API_KEY)") == true)
    }

    @Test(arguments: ["openai", "groq"])
    func namedProviderWithoutCredentialIsUpstreamAuth(_ name: String) {
        let r = registry([openAIWithoutKey, localWithoutKey, local])
        let error = #expect(throws: RPCError.self) { try r.resolve(name) }
        #expect(error?.type == .upstreamAuth)
        #expect(error?.data.retryable == false)
        #expect(error?.data.provider == name)
        #expect(error?.message.contains("env:") == true)
    }

    @Test func entriesUseProviderTimeoutsOverGlobal() {
        var config = DaemonConfig()
        config.timeouts.idleMs = 111
        var custom = local
        var timeouts = DaemonConfig.Timeouts()
        timeouts.idleMs = 5
        custom.timeouts = timeouts
        config.providers = [openAIWithKey, custom]
        let r = ProviderRegistry(config: config)
        #expect(r.entries[0].timeouts.idleMs == 111)
        #expect(r.entries[1].timeouts.idleMs == 5)
    }

    @Test func statusesNeverContainSecrets() throws {
        let inline = ProviderConfig(
            name: "inline",
            type: .openaiCompatible,
            baseURL: "https://user:pw@llm.example.com:8443/v1",
            credentialSource: .inline,
            apiKey: Secret("inline-secret-value-42")
        )
        let r = registry([openAIWithKey, inline, openAIWithoutKey.renamed("second")])
        let statuses = r.statuses
        #expect(statuses.map(\.name) == ["openai", "inline", "second"])
        #expect(statuses.map(\.hasCredentials) == [true, true, false])
        #expect(statuses.map(\.credentialSource) == ["env:OPENAI_API_KEY", "inline", "env:OPENAI_API_KEY"])
        #expect(statuses.map(\.host) == ["api.openai.com", "llm.example.com:8443", "api.openai.com"])
        #expect(statuses[0].defaultModel == "gpt-4o-mini")

        let json = String(decoding: try JSONEncoder().encode(statuses), as: UTF8.self)
        for secret in ["sk-live-abcdef1234567890", "inline-secret-value-42", "pw@"] {
            #expect(!json.contains(secret), "status JSON leaks \(secret)")
        }
        #expect(!String(describing: statuses).contains("abcdef1234567890"))
        #expect(r.secrets.map(\.value).sorted() == ["inline-secret-value-42", "sk-live-abcdef1234567890"])
    }

    @Test func providerConfigDescriptionHidesSecret() throws {
        #expect(!String(describing: openAIWithKey).contains("abcdef1234567890"))
        #expect(!String(reflecting: openAIWithKey).contains("abcdef1234567890"))
        #expect(!String(describing: registry([openAIWithKey]).entries[0].config).contains("abcdef1234567890"))
    }

    @Test func statusesFromLoadedConfig() throws {
        let yaml = """
            providers:
              - name: openai
                type: openai
                api_key_env: OPENAI_API_KEY
            """
        let config = try ConfigLoader(environment: ["OPENAI_API_KEY": "sk-loaded-0123456789"]).parse(yaml, file: nil)
        let r = ProviderRegistry(config: config)
        let json = String(decoding: try JSONEncoder().encode(r.statuses), as: UTF8.self)
        #expect(!json.contains("sk-loaded-0123456789"))
        #expect(json.contains("env:OPENAI_API_KEY"))
        #expect(try r.resolve("openai").entry.adapter.endpoint.apiKey?.value == "sk-loaded-0123456789")
    }
}

extension ProviderConfig {
    fileprivate func renamed(_ name: String) -> ProviderConfig {
        var copy = self
        copy.name = name
        return copy
    }
}
