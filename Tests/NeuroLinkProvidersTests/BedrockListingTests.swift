import Foundation
import NeuroLinkHTTP
import NeuroLinkProtocol
import Testing

@testable import NeuroLinkCore
@testable import NeuroLinkProviders

@Suite struct BedrockListingTests {
    static let fixedDate = Date(timeIntervalSince1970: 1_440_938_160)
    static let credentials = AWSCredentials(accessKeyId: "AKIDEXAMPLE", secretAccessKey: Secret("secret"))

    static func adapter(
        options: [String: String] = ["region": "eu-central-1"],
        credentials: AWSCredentials? = credentials,
        key: String? = nil
    ) -> BedrockAdapter {
        BedrockAdapter(
            endpoint: ProviderEndpoint(
                name: "br",
                type: .bedrock,
                baseURL: "https://bedrock-runtime.eu-central-1.amazonaws.com",
                apiKey: key.map(Secret.init),
                defaultModel: nil,
                options: options,
                awsCredentials: credentials
            ),
            clock: { fixedDate }
        )
    }

    @Test func listingGoesToTheControlPlaneSignedForBedrock() throws {
        let request = try #require(Self.adapter().modelsRequest(timeouts: TransferTimeouts()))
        #expect(
            request.method == "GET"
                && request.url == "https://bedrock.eu-central-1.amazonaws.com/foundation-models?byOutputModality=TEXT"
        )
        let authorization = try #require(request.headers.first(named: "authorization"))
        #expect(
            authorization.hasPrefix(
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/eu-central-1/bedrock/aws4_request, SignedHeaders=accept;host;x-amz-date, Signature="
            )
        )
        let unsigned = request.headers.filter { !["authorization", "x-amz-date"].contains($0.name.lowercased()) }
        let expected = try SigV4Signer(
            credentials: Self.credentials,
            region: "eu-central-1",
            service: "bedrock",
            clock: { Self.fixedDate }
        )
        .headers(method: "GET", url: request.url, headers: unsigned, body: [])
        #expect(expected.first(named: "authorization") == authorization)

        let local = try #require(
            Self.adapter(options: ["region": "us-east-1", "models_base_url": "http://127.0.0.1:7"]).modelsRequest(
                timeouts: TransferTimeouts()
            )
        )
        #expect(local.url == "http://127.0.0.1:7/foundation-models?byOutputModality=TEXT")
        let bearer = try #require(
            Self.adapter(credentials: nil, key: "ABSKkey").modelsRequest(timeouts: TransferTimeouts())
        )
        #expect(bearer.headers.first(named: "authorization") == "Bearer ABSKkey")
        let none = try #require(Self.adapter(credentials: nil).modelsRequest(timeouts: TransferTimeouts()))
        #expect(none.headers.first(named: "authorization") == nil)  // never sent: the provider is not usable
    }

    @Test func parsesModelSummariesAndDropsNonStreamingModels() throws {
        let body = """
            {"modelSummaries":[
              {"modelArn":"arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-5-haiku-20241022-v1:0","modelId":"anthropic.claude-3-5-haiku-20241022-v1:0",
               "modelName":"Claude 3.5 Haiku","providerName":"Anthropic","inputModalities":["TEXT"],"outputModalities":["TEXT"],
               "responseStreamingSupported":true,"customizationsSupported":[],"inferenceTypesSupported":["INFERENCE_PROFILE"],
               "modelLifecycle":{"status":"ACTIVE"}},
              {"modelId":"amazon.titan-tg1-large","modelName":"Titan Text Large","providerName":"Amazon","responseStreamingSupported":false},
              {"modelId":"meta.llama3-8b-instruct-v1:0","providerName":"Meta"}
            ]}
            """
        let models = try Self.adapter().parseModels(Array(body.utf8))
        #expect(models.map(\.id) == ["anthropic.claude-3-5-haiku-20241022-v1:0", "meta.llama3-8b-instruct-v1:0"])
        #expect(
            models.first?.displayName == "Claude 3.5 Haiku" && models.first?.ownedBy == "Anthropic"
                && models.first?.provider == "br"
        )
        #expect(try Self.adapter().parseModels(Array("{}".utf8)).isEmpty)
        #expect(throws: RPCError.self) {
            try Self.adapter().parseModels(Array(#"{"modelSummaries":[{"modelName":"x"}]}"#.utf8))
        }
    }

    @Test func configuredControlPlaneURL() throws {
        let environment = [
            "AWS_ACCESS_KEY_ID": "a", "AWS_SECRET_ACCESS_KEY": "b", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent",
        ]
        let config = try ConfigLoader(environment: environment).parse(
            "providers:\n  - name: b\n    type: bedrock\n    region: us-east-1\n    models_base_url: http://127.0.0.1:9/\n",
            file: nil
        )
        #expect(config.providers.first?.options["models_base_url"] == "http://127.0.0.1:9")
        #expect(throws: ConfigError.self) {
            try ConfigLoader(environment: environment).parse(
                "providers:\n  - name: b\n    type: bedrock\n    region: us-east-1\n    models_base_url: ftp://x\n",
                file: nil
            )
        }
    }
}
