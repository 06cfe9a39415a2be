import Foundation
import NeuroLinkHTTP
import NeuroLinkProtocol
import Testing

@testable import NeuroLinkProviders

/// Model names that would move a request to another URL path are refused by every adapter that puts
/// the model in the path; legitimate ones are percent-encoded as one segment.
@Suite struct ModelPathSegmentTests {
    /// Names the issue lists: `.`/`..` segments, `/` (where not legitimate), `?`, `#`, control characters.
    static let hostile = [
        "..", ".", "../converse-stream", "a/../b", "a/./b", "x/..", "m?x=1", "m#frag", "m\n", "m\u{0}x", "m\u{7F}",
        "m\u{85}", "m\u{2028}", "",
    ]

    private func chat(_ model: String) -> ChatRequest {
        ChatRequest(messages: [ChatMessage(role: "user", content: "hi")], model: model, maxTokens: 5, temperature: nil)
    }

    private func expectInvalidParams(_ body: () throws -> HTTPRequest, _ model: String) {
        do {
            let request = try body()
            Issue.record("model \(model.debugDescription) was accepted: \(request.url)")
        } catch let error as RPCError {
            #expect(error.type == .invalidParams, "\(error)")
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test(arguments: hostile + ["a/b"])
    func azureRejects(_ model: String) {
        let adapter = AzureOpenAIAdapter(
            endpoint: ProviderEndpoint(
                name: "az",
                type: .azure,
                baseURL: "https://r.openai.azure.com",
                apiKey: Secret("k"),
                defaultModel: nil
            )
        )
        expectInvalidParams({ try adapter.httpRequest(for: chat(model), timeouts: TransferTimeouts()) }, model)
    }

    @Test func azureConfiguredDeploymentIsCheckedToo() {
        let adapter = AzureOpenAIAdapter(
            endpoint: ProviderEndpoint(
                name: "az",
                type: .azure,
                baseURL: "https://r.openai.azure.com",
                apiKey: Secret("k"),
                defaultModel: nil,
                options: ["deployment": ".."]
            )
        )
        expectInvalidParams({ try adapter.httpRequest(for: chat("gpt-4o"), timeouts: TransferTimeouts()) }, "..")
    }

    @Test func azureEncodesALegitimateDeployment() throws {
        let adapter = AzureOpenAIAdapter(
            endpoint: ProviderEndpoint(
                name: "az",
                type: .azure,
                baseURL: "https://r.openai.azure.com",
                apiKey: Secret("k"),
                defaultModel: nil
            )
        )
        let request = try adapter.httpRequest(for: chat("gpt-4o.mini v2"), timeouts: TransferTimeouts())
        #expect(
            request.url
                == "https://r.openai.azure.com/openai/deployments/gpt-4o.mini%20v2/chat/completions?api-version=2024-10-21"
        )
    }

    private var bedrock: BedrockAdapter {
        BedrockAdapter(
            endpoint: ProviderEndpoint(
                name: "br",
                type: .bedrock,
                baseURL: "",
                apiKey: Secret("bedrock-api-key"),
                defaultModel: nil,
                options: ["region": "us-east-1"]
            )
        )
    }

    @Test(arguments: hostile)
    func bedrockRejects(_ model: String) {
        expectInvalidParams({ try bedrock.httpRequest(for: chat(model), timeouts: TransferTimeouts()) }, model)
    }

    /// Bedrock ids contain `.` and `:`, and ARNs `/`: all legitimate, sent encoded.
    @Test(arguments: [
        ("anthropic.claude-3-5-sonnet-20240620-v1:0", "anthropic.claude-3-5-sonnet-20240620-v1%3A0"),
        (
            "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-5-haiku-20241022-v1:0",
            "arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Ainference-profile%2Fus.anthropic.claude-3-5-haiku-20241022-v1%3A0"
        ),
        ("..a", "..a"),
    ])
    func bedrockAcceptsRealIds(_ model: String, _ segment: String) throws {
        let request = try bedrock.httpRequest(for: chat(model), timeouts: TransferTimeouts())
        #expect(request.url == "https://bedrock-runtime.us-east-1.amazonaws.com/model/\(segment)/converse-stream")
    }

    @Test(arguments: hostile + ["a/b", "models/a/b", "models/.."])
    func geminiRejects(_ model: String) {
        let adapter = GeminiAdapter(
            endpoint: ProviderEndpoint(
                name: "g",
                type: .googleAI,
                baseURL: "https://generativelanguage.googleapis.com/v1beta",
                apiKey: Secret("k"),
                defaultModel: nil
            )
        )
        expectInvalidParams({ try adapter.httpRequest(for: chat(model), timeouts: TransferTimeouts()) }, model)
    }

    @Test(arguments: hostile + ["a/b", "publishers/google/models/..", "models/x/y"])
    func vertexRejects(_ model: String) throws {
        let adapter = VertexAdapter(endpoint: try VertexAdapterTests.endpoint(), http: nil)
        expectInvalidParams({ try adapter.httpRequest(for: chat(model), timeouts: TransferTimeouts()) }, model)
    }

    @Test func messageNamesTheRuleNotTheModel() {
        do {
            try ModelPathSegment.validate("x\nFAKE", provider: "p", allowsSlash: false)
            Issue.record("accepted")
        } catch {
            #expect(error.message.contains("control character"))
            #expect(!error.message.contains("FAKE"))
        }
    }
}
