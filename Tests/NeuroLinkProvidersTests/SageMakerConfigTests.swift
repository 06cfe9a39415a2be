import NeuroLinkProviders
import Testing

@testable import NeuroLinkCore

@Suite struct SageMakerConfigTests {
    static let keys = [
        "AWS_ACCESS_KEY_ID": "AKIDCONFIG", "AWS_SECRET_ACCESS_KEY": "config-secret",
        "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/credentials", "AWS_REGION": "eu-west-1",
    ]

    @Test func endpointContainerAndCredentials() throws {
        let config = try ConfigLoader(environment: Self.keys.merging(["SAGEMAKER_DEFAULT_ENDPOINT": "from-env"]) { $1 })
            .parse(
                """
                providers:
                  - name: sm
                    type: sagemaker
                    endpoint_name: llama-3-endpoint
                    container: tgi
                    target_variant: blue
                  - name: sm2
                    type: sagemaker
                    region: us-west-2
                    model_as: inference_component
                    default_model: ic-small
                """,
                file: nil
            )
        let sm = config.providers[0]
        #expect(sm.baseURL == "https://runtime.sagemaker.eu-west-1.amazonaws.com")
        #expect(
            sm.options["endpoint_name"] == "llama-3-endpoint" && sm.options["container"] == "tgi"
                && sm.options["target_variant"] == "blue"
        )
        #expect(sm.defaultModel == "llama-3-endpoint")  // the endpoint name when no model is configured
        #expect(
            sm.isUsable && sm.credentialSource.description == "aws:env" && sm.secrets.map(\.value) == ["config-secret"]
        )
        #expect(sm.endpoint.makeAdapter() is SageMakerAdapter)
        let sm2 = config.providers[1]
        #expect(
            sm2.options["endpoint_name"] == "from-env"
                && sm2.baseURL == "https://runtime.sagemaker.us-west-2.amazonaws.com"
        )
        #expect(sm2.defaultModel == "ic-small" && sm2.options["model_as"] == "inference_component")
        #expect(ProviderCatalog.aliases["sagemaker"] == .sagemaker)
    }

    @Test func mistakesAreConfigErrors() throws {
        func error(_ entry: String, _ environment: [String: String] = Self.keys) -> String? {
            do {
                _ = try ConfigLoader(environment: environment).parse(
                    "providers:\n  - name: s\n    type: sagemaker\n" + entry,
                    file: nil
                )
                return nil
            } catch { return error.description }
        }
        #expect(error("")?.contains("endpoint_name") == true)
        #expect(
            error("    endpoint_name: e\n", ["AWS_ACCESS_KEY_ID": "a", "AWS_SECRET_ACCESS_KEY": "b"])?.contains(
                "region"
            ) == true
        )
        #expect(error("    endpoint_name: \"bad_name\"\n") != nil)
        #expect(error("    endpoint_name: e\n    container: vllm\n")?.contains("openai, tgi") == true)
        #expect(error("    endpoint_name: e\n    model_as: header\n") != nil)
        #expect(
            error("    endpoint_name: e\n    model_as: target_model\n    target_model: fixed.tar.gz\n")?.contains(
                "cannot be given"
            ) == true
        )
        #expect(error("    endpoint_name: e\n    target_variant: \"a b\"\n") != nil)
        #expect(error("    endpoint_name: e\n    api_key_env: X\n")?.contains("no API key") == true)
        let missing = try ConfigLoader(environment: [
            "AWS_REGION": "us-east-1", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent",
        ])
        .parse("providers:\n  - name: s\n    type: sagemaker\n    endpoint_name: e\n    aws_profile: work\n", file: nil)
        #expect(
            missing.providers.first?.isUsable == false
                && missing.providers.first?.credentialSource.description == "aws:profile:work"
        )
    }

    @Test func environmentOnlyMode() throws {
        let providers = ConfigLoader(
            environment: Self.keys.merging(["SAGEMAKER_DEFAULT_ENDPOINT": "my-endpoint", "SAGEMAKER_MODEL": "llama"]) {
                $1
            }
        )
        .environmentProviders()
        #expect(providers.map(\.name) == ["bedrock", "sagemaker"])
        let sagemaker = try #require(providers.last)
        #expect(
            sagemaker.type == .sagemaker && sagemaker.options["endpoint_name"] == "my-endpoint"
                && sagemaker.defaultModel == "llama"
        )
        #expect(sagemaker.baseURL == "https://runtime.sagemaker.eu-west-1.amazonaws.com" && sagemaker.isUsable)
        #expect(
            !ConfigLoader(environment: ["SAGEMAKER_DEFAULT_ENDPOINT": "e"]).environmentProviders().contains {
                $0.type == .sagemaker
            }
        )
    }
}
