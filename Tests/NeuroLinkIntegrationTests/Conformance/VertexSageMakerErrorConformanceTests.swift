import Foundation
import LoopbackUpstream
import NeuroLinkClient
import NeuroLinkProtocol
import Testing

/// The failures of a request, in provider-independent terms; each renderer reproduces its
/// provider's own response for each, and the daemon must report the same protocol error.
enum FailureKind: String, CaseIterable, Sendable {
    case invalidRequest = "invalid request"
    case auth
    case notFound = "not found"
    case rateLimit = "rate limit"
    case serverError = "server error"
    case
        unavailable

    var expected: (type: ErrorType, retryable: Bool) {
        switch self {
        case .invalidRequest, .notFound: (.upstreamInvalidRequest, false)
        case .auth: (.upstreamAuth, false)
        case .rateLimit: (.rateLimited, true)
        case .serverError, .unavailable: (.upstreamError, true)
        }
    }
}

/// Renderers that also reproduce their provider's error responses, byte for byte.
protocol ErrorResponseRendering: WireRenderer {
    /// Status, headers and body the provider answers with for `failure`.
    func errorResponse(_ failure: FailureKind) -> (status: Int, headers: [HTTPField], body: String)
}

extension OpenAIRenderer: ErrorResponseRendering {
    func errorResponse(_ failure: FailureKind) -> (status: Int, headers: [HTTPField], body: String) {
        let (status, type, code): (Int, String, String?) =
            switch failure {
            case .invalidRequest: (400, "invalid_request_error", nil)
            case .auth: (401, "invalid_request_error", "invalid_api_key")
            case .notFound: (404, "invalid_request_error", "model_not_found")
            case .rateLimit: (429, "requests", "rate_limit_exceeded")
            case .serverError: (500, "server_error", nil)
            case .unavailable: (503, "server_error", nil)
            }
        return (
            status, [],
            json([
                "error": [
                    "message": "failure: \(failure.rawValue)", "type": type, "param": NSNull(),
                    "code": code.map { $0 as Any } ?? NSNull(),
                ]
            ])
        )
    }
}

extension VertexRenderer: ErrorResponseRendering {
    /// google.rpc status objects, as Vertex sends them.
    func errorResponse(_ failure: FailureKind) -> (status: Int, headers: [HTTPField], body: String) {
        let (status, name, message): (Int, String, String) =
            switch failure {
            case .invalidRequest: (400, "INVALID_ARGUMENT", "Request contains an invalid argument.")
            case .auth:
                (
                    401, "UNAUTHENTICATED",
                    "Request had invalid authentication credentials. Expected OAuth 2 access token."
                )
            case .notFound:
                (
                    404, "NOT_FOUND",
                    "Publisher Model `projects/test-project/locations/us-central1/publishers/google/models/m` was not found."
                )
            case .rateLimit: (429, "RESOURCE_EXHAUSTED", "Resource exhausted. Please try again later.")
            case .serverError: (500, "INTERNAL", "Internal error encountered.")
            case .unavailable: (503, "UNAVAILABLE", "The model is overloaded. Please try again later.")
            }
        return (status, [], json(["error": ["code": status, "message": message, "status": name]]))
    }
}

extension SageMakerRenderer: ErrorResponseRendering {
    /// `x-amzn-ErrorType` names and JSON bodies of the SageMaker runtime (AWS-wide names for
    /// authentication and throttling).
    func errorResponse(_ failure: FailureKind) -> (status: Int, headers: [HTTPField], body: String) {
        let (status, name, body): (Int, String, [String: Any]) =
            switch failure {
            case .invalidRequest: (400, "ValidationError", ["message": "1 validation error detected"])
            case .auth:
                (
                    403, "UnrecognizedClientException",
                    ["message": "The security token included in the request is invalid."]
                )
            case .notFound: (400, "ValidationError", ["message": "Endpoint m of account 123456789012 not found."])
            case .rateLimit: (429, "ThrottlingException", ["message": "Rate exceeded"])
            case .serverError:
                (
                    424, "ModelError",
                    [
                        "Message": "Received server error (500) from primary with message \"boom\"",
                        "OriginalStatusCode": 500, "OriginalMessage": "boom",
                    ]
                )
            case .unavailable: (503, "ServiceUnavailable", ["message": "Service unavailable"])
            }
        return (
            status, [HTTPField("x-amzn-ErrorType", "\(name):http://internal.amazon.com/coral/com.amazon.sagemaker/")],
            json(body)
        )
    }
}

@Suite struct VertexSageMakerErrorConformanceTests {
    static let renderers: [any ErrorResponseRendering] = [
        OpenAIRenderer(), VertexRenderer(), SageMakerRenderer(container: "openai"), SageMakerRenderer(container: "tgi"),
    ]

    struct Case: Sendable, CustomTestStringConvertible {
        var renderer: any ErrorResponseRendering
        var failure: FailureKind
        var testDescription: String {
            "\(renderer.providerType)/\((renderer as? SageMakerRenderer)?.container ?? "-") \(failure.rawValue)"
        }
    }

    static let cases = renderers.flatMap { renderer in
        FailureKind.allCases.map { Case(renderer: renderer, failure: $0) }
    }

    /// One attempt only: the error is the provider's answer, not the outcome of retries.
    static func config(_ renderer: any WireRenderer, upstream: LoopbackUpstream) -> String {
        ProviderConformanceTests.config(renderer, upstream: upstream) + "\nrouting:\n  max_attempts: 1\n"
    }

    @Test(arguments: cases)
    func eachErrorStatusGivesTheSameProtocolError(_ testCase: Case) async throws {
        try await LoopbackUpstream.with { upstream in
            let response = testCase.renderer.errorResponse(testCase.failure)
            upstream.setDefault(.error(status: response.status, headers: response.headers, body: response.body))
            let environment = testCase.renderer.environment.merging(["TEST_AZURE_KEY": "k"]) { $1 }
            try await DaemonProcess.with(
                config: Self.config(testCase.renderer, upstream: upstream),
                environment: environment
            ) { daemon in
                try await NeuroLinkClient.withConnection(socketPath: daemon.socketPath) { client in
                    do {
                        for try await _ in client.stream(StreamRequest(prompt: "hi")) {}
                        Issue.record("\(testCase.testDescription): the stream should have failed")
                    } catch let error as RPCError {
                        #expect(error.type == testCase.failure.expected.type, "\(testCase.testDescription): \(error)")
                        #expect(
                            error.retryable == testCase.failure.expected.retryable,
                            "\(testCase.testDescription): \(error)"
                        )
                        #expect(error.data.upstreamStatus == response.status && error.data.provider == "p")
                    }
                }
            }
            #expect(upstream.requests().count == 1)
        }
    }

    static let inStreamRenderers: [any WireRenderer] = [
        OpenAIRenderer(), VertexRenderer(), SageMakerRenderer(container: "openai"), SageMakerRenderer(container: "tgi"),
    ]

    @Test(arguments: inStreamRenderers.map { $0 as any WireRenderer })
    func inStreamErrorIsARetryableUpstreamError(_ renderer: any WireRenderer) async throws {
        try await LoopbackUpstream.with { upstream in
            let script = WireScript(pieces: ["one ", "two ", "three"], inStreamErrorAfter: 2)
            upstream.setDefault(.raw(pieces: split(renderer.renderBytes(script, model: "m"), every: 5), delay: .zero))
            try await DaemonProcess.with(
                config: Self.config(renderer, upstream: upstream),
                environment: renderer.environment
            ) { daemon in
                try await NeuroLinkClient.withConnection(socketPath: daemon.socketPath) { client in
                    do {
                        for try await _ in client.stream(StreamRequest(prompt: "hi")) {}
                        Issue.record("\(renderer.providerType): an in-stream error must fail the stream")
                    } catch let error as RPCError {
                        #expect(error.type == .upstreamError && error.retryable, "\(renderer.providerType): \(error)")
                        #expect(error.message.contains("mid-stream"), "\(error.message)")
                    }
                }
            }
        }
    }
}
