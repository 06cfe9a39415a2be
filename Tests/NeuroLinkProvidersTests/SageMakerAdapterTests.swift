import Foundation
import NeuroLinkHTTP
import NeuroLinkProtocol
import Testing

@testable import NeuroLinkProviders

private let fixedDate = Date(timeIntervalSince1970: 1_440_938_160)
private let credentials = AWSCredentials(
    accessKeyId: "AKIDEXAMPLE",
    secretAccessKey: Secret("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
)

@Suite struct SageMakerAdapterTests {
    static func adapter(_ options: [String: String] = [:], baseURL: String = "") -> SageMakerAdapter {
        var all = ["region": "us-east-1", "endpoint_name": "my-endpoint"]
        all.merge(options) { $1 }
        return SageMakerAdapter(
            endpoint: ProviderEndpoint(
                name: "sm",
                type: .sagemaker,
                baseURL: baseURL,
                apiKey: nil,
                defaultModel: nil,
                options: all,
                awsCredentials: credentials
            ),
            clock: { fixedDate }
        )
    }

    static let chat = ChatRequest(
        messages: [ChatMessage(role: "user", content: "hi")],
        model: "llama-3",
        maxTokens: 64,
        temperature: 0
    )

    @Test func urlHeadersSignatureAndOpenAIBody() throws {
        let http = try Self.adapter(["target_variant": "blue", "inference_component": "ic-1"])
            .httpRequest(for: Self.chat, timeouts: TransferTimeouts())
        #expect(
            http.method == "POST"
                && http.url
                    == "https://runtime.sagemaker.us-east-1.amazonaws.com/endpoints/my-endpoint/invocations-response-stream"
        )
        #expect(http.headers.first(named: "content-type") == "application/json")
        #expect(http.headers.first(named: "accept") == "application/vnd.amazon.eventstream")
        #expect(http.headers.first(named: "x-amzn-sagemaker-target-variant") == "blue")
        #expect(http.headers.first(named: "x-amzn-sagemaker-inference-component") == "ic-1")
        #expect(http.headers.first(named: "x-amzn-sagemaker-target-model") == nil)
        let authorization = try #require(http.headers.first(named: "authorization"))
        #expect(
            authorization.hasPrefix(
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/sagemaker/aws4_request, "
                    + "SignedHeaders=accept;content-type;host;x-amz-date;x-amzn-sagemaker-inference-component;x-amzn-sagemaker-target-variant, Signature="
            )
        )
        // The signature is the one the SigV4 signer computes over exactly these headers and body.
        let unsigned = http.headers.filter { !["authorization", "x-amz-date"].contains($0.name.lowercased()) }
        let expected = try SigV4Signer(
            credentials: credentials,
            region: "us-east-1",
            service: "sagemaker",
            clock: { fixedDate }
        )
        .headers(method: "POST", url: http.url, headers: unsigned, body: http.body ?? [])
        #expect(expected.first(named: "authorization") == authorization)

        let body = try JSONDecoder().decode(JSONValue.self, from: Data(try #require(http.body)))
        #expect(
            body["model"] == .string("llama-3") && body["stream"] == .bool(true) && body["max_tokens"] == .number(64)
        )
        #expect(body["messages"] == .array([.object(["role": .string("user"), "content": .string("hi")])]))
        #expect(Self.adapter().modelsRequest(timeouts: TransferTimeouts()) == nil)
    }

    @Test func modelAsRoutesTheRequestModelIntoAHeader() throws {
        let target = try Self.adapter(["model_as": "target_model"], baseURL: "http://127.0.0.1:9")
            .httpRequest(for: Self.chat, timeouts: TransferTimeouts())
        #expect(target.url == "http://127.0.0.1:9/endpoints/my-endpoint/invocations-response-stream")
        #expect(target.headers.first(named: "x-amzn-sagemaker-target-model") == "llama-3")
        let component = try Self.adapter(["model_as": "inference_component"]).httpRequest(
            for: Self.chat,
            timeouts: TransferTimeouts()
        )
        #expect(component.headers.first(named: "x-amzn-sagemaker-inference-component") == "llama-3")
        var evil = Self.chat
        evil.model = "m\r\nX-Injected: 1"
        #expect(throws: RPCError.self) {
            try Self.adapter(["model_as": "target_model"]).httpRequest(for: evil, timeouts: TransferTimeouts())
        }
        #expect(throws: RPCError.self) {
            try Self.adapter(["endpoint_name": "bad/name"]).httpRequest(for: Self.chat, timeouts: TransferTimeouts())
        }
        #expect(throws: RPCError.self) {
            try Self.adapter(["region": "x/y"]).httpRequest(for: Self.chat, timeouts: TransferTimeouts())
        }
        let unsigned = SageMakerAdapter(
            endpoint: ProviderEndpoint(
                name: "sm",
                type: .sagemaker,
                baseURL: "",
                apiKey: Secret("k"),
                defaultModel: nil,
                options: ["region": "us-east-1", "endpoint_name": "e"]
            )
        )
        // No bearer keys.
        #expect(throws: RPCError.self) { try unsigned.httpRequest(for: Self.chat, timeouts: TransferTimeouts()) }
    }

    @Test func tgiBodyAndPrompt() throws {
        let adapter = Self.adapter(["container": "tgi"])
        let http = try adapter.httpRequest(for: Self.chat, timeouts: TransferTimeouts())
        let body = try JSONDecoder().decode(JSONValue.self, from: Data(try #require(http.body)))
        // temperature 0 is left out (TGI wants it strictly positive), the lone prompt passes unchanged.
        #expect(
            body
                == .object([
                    "inputs": .string("hi"), "stream": .bool(true),
                    "parameters": .object(["max_new_tokens": .number(64), "details": .bool(true)]),
                ])
        )
        let conversation = ChatRequest(
            messages: [
                ChatMessage(role: "system", content: "Be terse."), ChatMessage(role: "user", content: "2+2?"),
                ChatMessage(role: "assistant", content: "4"), ChatMessage(role: "user", content: "and 3+3?"),
            ],
            model: "m",
            maxTokens: nil,
            temperature: 0.5
        )
        #expect(
            try TGIPrompt.render(conversation)
                == "Be terse.\n\nUser: 2+2?\n\nAssistant: 4\n\nUser: and 3+3?\n\nAssistant:"
        )
        let withTools = ChatRequest(
            messages: [ChatMessage(role: "user", content: "hi")],
            model: "m",
            maxTokens: nil,
            temperature: nil,
            tools: [ToolDefinition(name: "f", description: nil, parameters: nil)]
        )
        #expect(throws: RPCError.self) { try adapter.httpRequest(for: withTools, timeouts: TransferTimeouts()) }
    }

    @Test func httpErrorsAreMappedByName() {
        let adapter = Self.adapter()
        func error(_ status: Int, _ name: String?, _ body: String) -> RPCError {
            adapter.error(
                status: status,
                headers: name.map {
                    [HTTPHeader("x-amzn-ErrorType", "\($0):http://internal.amazon.com/coral/com.amazon.sagemaker/")]
                } ?? [],
                body: Array(body.utf8)
            )
        }
        let validation = error(400, "ValidationError", #"{"message":"Endpoint my-endpoint of account 123 not found."}"#)
        #expect(
            validation.type == .upstreamInvalidRequest && validation.message.contains("not found")
                && !validation.data.retryable
        )
        let modelFailed = error(
            424,
            "ModelError",
            #"{"Message":"Received server error (500) from primary","OriginalStatusCode":500,"OriginalMessage":"CUDA out of memory"}"#
        )
        #expect(
            modelFailed.type == .upstreamError && modelFailed.data.retryable
                && modelFailed.message.contains("CUDA out of memory")
        )
        let modelRefused = error(
            424,
            "ModelError",
            #"{"Message":"Received client error (422)","OriginalStatusCode":422}"#
        )
        #expect(modelRefused.type == .upstreamInvalidRequest && !modelRefused.data.retryable)
        #expect(error(500, "InternalFailure", "{}").type == .upstreamError)
        #expect(error(503, "ServiceUnavailable", "{}").data.retryable)
        #expect(error(400, "ThrottlingException", #"{"message":"Rate exceeded"}"#).type == .rateLimited)
        #expect(
            error(
                403,
                "UnrecognizedClientException",
                #"{"message":"The security token included in the request is invalid."}"#
            ).type == .upstreamAuth
        )
        #expect(error(429, nil, "{}").type == .rateLimited)
        #expect(
            error(400, nil, #"{"__type":"com.amazon.coral.validate#ValidationError","message":"bad"}"#).type
                == .upstreamInvalidRequest
        )
    }
}
