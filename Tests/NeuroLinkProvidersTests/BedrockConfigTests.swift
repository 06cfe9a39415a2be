import NeuroLinkProviders
import Testing

@testable import NeuroLinkCore

@Suite struct BedrockConfigTests {
    static let keys = [
        "AWS_ACCESS_KEY_ID": "AKIDCONFIG", "AWS_SECRET_ACCESS_KEY": "config-secret",
        "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/credentials",
    ]

    @Test func regionBuildsTheBaseURLAndCredentialsResolve() throws {
        let loader = ConfigLoader(environment: Self.keys)
        let config = try loader.parse(
            """
            providers:
              - name: aws
                type: bedrock
                region: eu-west-1
                default_model: "anthropic.claude-3-5-haiku-20241022-v1:0"
            """,
            file: nil
        )
        let provider = try #require(config.providers.first)
        #expect(provider.baseURL == "https://bedrock-runtime.eu-west-1.amazonaws.com")
        #expect(provider.options["region"] == "eu-west-1")
        #expect(provider.isUsable && provider.hasCredentials)
        #expect(provider.credentialSource.description == "aws:env")
        #expect(provider.awsCredentials?.accessKeyId == "AKIDCONFIG")
        #expect(provider.secrets.map(\.value) == ["config-secret"])
        #expect(provider.endpoint.makeAdapter() is BedrockAdapter)
        #expect(ProviderCatalog.aliases["aws"] == .bedrock && ProviderCatalog.aliases["bedrock"] == .bedrock)
    }

    @Test func missingRegionOrCredentials() throws {
        #expect(throws: ConfigError.self) {
            try ConfigLoader(environment: Self.keys).parse("providers:\n  - name: a\n    type: bedrock\n", file: nil)
        }
        #expect(throws: ConfigError.self) {
            try ConfigLoader(environment: Self.keys).parse(
                "providers:\n  - name: a\n    type: bedrock\n    region: \"x/y\"\n",
                file: nil
            )
        }
        let config = try ConfigLoader(environment: [
            "AWS_REGION": "us-west-2", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent",
        ])
        .parse("providers:\n  - name: a\n    type: bedrock\n    aws_profile: work\n", file: nil)
        let provider = try #require(config.providers.first)
        #expect(!provider.isUsable)
        #expect(provider.credentialSource.description == "aws:profile:work")
        #expect(provider.baseURL == "https://bedrock-runtime.us-west-2.amazonaws.com")
    }

    @Test func environmentOnlyMode() throws {
        let providers = ConfigLoader(environment: Self.keys.merging(["AWS_REGION": "us-west-2"]) { $1 })
            .environmentProviders()
        let bedrock = try #require(providers.first { $0.type == .bedrock })
        #expect(bedrock.name == "bedrock" && bedrock.isUsable)
        #expect(bedrock.defaultModel == "anthropic.claude-3-5-haiku-20241022-v1:0")
        #expect(bedrock.options["region"] == "us-west-2")
        #expect(
            ConfigLoader(environment: ["AWS_SHARED_CREDENTIALS_FILE": "/nonexistent"]).environmentProviders()
                .allSatisfy { $0.type != .bedrock }
        )
    }
}
