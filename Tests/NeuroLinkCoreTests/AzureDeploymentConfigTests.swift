import Foundation
import NeuroLinkProviders
import Testing

@testable import NeuroLinkCore

/// A configured Azure `deployment` is the default model, as in environment-only mode.
@Suite struct AzureDeploymentDefaultModelTests {
    private func azure(_ extra: String) throws -> ProviderConfig {
        let yaml = """
            providers:
              - name: azure
                type: azure
                base_url: https://r.openai.azure.com
                api_key_env: AZ_KEY
            \(extra)
            """
        return try #require(try ConfigLoader(environment: ["AZ_KEY": "k"]).parse(yaml, file: nil).providers.first)
    }

    @Test func deploymentIsTheDefaultModel() throws {
        #expect(try azure("    deployment: gpt4o-prod").defaultModel == "gpt4o-prod")
        #expect(try azure("    options:\n      deployment: via-options").defaultModel == "via-options")
    }

    @Test func explicitDefaultModelWins() throws {
        #expect(try azure("    deployment: d\n    default_model: m").defaultModel == "m")
    }

    @Test func noDeploymentNoDefaultModel() throws {
        #expect(try azure("").defaultModel == nil)
    }

    @Test func otherTypesDoNotTakeTheDeployment() throws {
        let yaml = """
            providers:
              - name: o
                type: openai
                api_key: k
                deployment: d
            """
        #expect(try ConfigLoader().parse(yaml, file: nil).providers.first?.defaultModel == nil)
    }
}
