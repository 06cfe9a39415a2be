import Foundation
import LoopbackUpstream
import NeuroLinkClient
import NeuroLinkProtocol
import NeuroLinkTestSupport
import Testing

/// Every way an upstream can fail ends the stream with the documented error type.
@Suite struct UpstreamErrorTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var scenario: Scenario
        var type: ErrorType
        var retryable: Bool
        var retryAfterMs: Int? = nil
        var timeout: String? = nil
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(
            name: "401",
            scenario: .openAIError(
                status: 401,
                message: "Incorrect API key provided",
                type: "invalid_request_error",
                code: "invalid_api_key"
            ),
            type: .upstreamAuth,
            retryable: false
        ),
        Case(
            name: "429 retry-after",
            scenario: .openAIError(
                status: 429,
                message: "Rate limit reached",
                type: "requests",
                code: "rate_limit_exceeded",
                headers: [HTTPField("retry-after", "3")]
            ),
            type: .rateLimited,
            retryable: true,
            retryAfterMs: 3000
        ),
        Case(
            name: "429 retry-after-ms",
            scenario: .openAIError(status: 429, message: "slow down", headers: [HTTPField("retry-after-ms", "250")]),
            type: .rateLimited,
            retryable: true,
            retryAfterMs: 250
        ),
        Case(
            name: "500",
            scenario: .openAIError(status: 500, message: "The server had an error"),
            type: .upstreamError,
            retryable: true
        ),
        Case(
            name: "400",
            scenario: .openAIError(status: 400, message: "bad model", type: "invalid_request_error"),
            type: .upstreamInvalidRequest,
            retryable: false
        ),
        Case(
            name: "dropped mid-stream",
            scenario: .stream(OpenAIStream(pieces: ["a", "b", "c"], ending: .dropAfter(pieces: 2))),
            type: .upstreamError,
            retryable: true
        ),
        Case(
            name: "clean end without [DONE]",
            scenario: .stream(OpenAIStream(pieces: ["a", "b"], ending: .cleanEOFWithoutDone)),
            type: .upstreamError,
            retryable: true
        ),
        Case(
            name: "in-stream error",
            scenario: .stream(OpenAIStream(pieces: ["a"], ending: .inStreamError(afterPieces: 1, message: "boom"))),
            type: .upstreamError,
            retryable: true
        ),
        Case(
            name: "malformed SSE",
            scenario: .raw(
                pieces: [
                    Array("data: {\"choices\":[{\"delta\":{\"content\":\"ok\"}}]}\n\n".utf8),
                    Array("data: {not json}\n\n".utf8),
                ],
                delay: .zero
            ),
            type: .upstreamBadResponse,
            retryable: true
        ),
        Case(
            name: "stalled before the first chunk",
            scenario: .stall,
            type: .timeout,
            retryable: true,
            timeout: "first_chunk"
        ),
        Case(
            name: "stalled between chunks",
            scenario: .stream(OpenAIStream(pieces: ["a", "b"], delay: .seconds(3), firstDelay: .zero)),
            type: .timeout,
            retryable: true,
            timeout: "idle"
        ),
    ]

    static let timeouts = """
        timeouts:
          first_chunk_ms: 600
          idle_ms: 600
        """

    @Test(arguments: cases)
    func upstreamFailureGivesDocumentedError(_ testCase: Case) async throws {
        try await LoopbackUpstream.with { upstream in
            upstream.setDefault(testCase.scenario)
            try await DaemonProcess.withClient(config: loopConfig(upstream.baseURL, timeouts: Self.timeouts)) {
                _,
                client in
                do {
                    for try await _ in client.stream(StreamRequest(prompt: "x")) {}
                    Issue.record("the stream should have failed")
                } catch let error as RPCError {
                    #expect(error.type == testCase.type, "\(error)")
                    #expect(error.code == testCase.type.code)
                    #expect(error.retryable == testCase.retryable)
                    #expect(error.retryAfterMs == testCase.retryAfterMs)
                    #expect(error.data.timeout == testCase.timeout)
                    #expect(error.data.provider == "loop")
                }
            }
        }
    }

    @Test func partialUsageIsReportedWhenAStreamBreaks() async throws {
        try await LoopbackUpstream.with { upstream in
            upstream.setDefault(.stream(OpenAIStream(pieces: ["a", "b", "c", "d"], ending: .dropAfter(pieces: 3))))
            try await DaemonProcess.with(config: loopConfig(upstream.baseURL)) { daemon in
                try await FrameConnection.with(path: daemon.socketPath) { connection in
                    try await connection.send(
                        #"{"jsonrpc":"2.0","id":1,"method":"stream","params":{"input":{"text":"x"}}}"#
                    )
                    let (response, chunks) = try await connection.readUntilResponse(id: 1)
                    #expect(chunks.compactMap { $0["content"] as? String }.joined() == "abc")
                    #expect(
                        !chunks.contains { $0["type"] as? String == "finish" },
                        "a broken stream must not look finished"
                    )
                    #expect(response.errorType == "upstream_error")
                    let usage = try #require(response.errorData?["usage"] as? [String: Any])
                    #expect(usage["outputTokens"] as? Int == 3)
                }
            }
        }
    }

    @Test func secretsNeverLeakIntoErrorsLogsOrStatus() async throws {
        let secret = "sk-test-SECRET-0123456789abcdefXYZ"
        try await LoopbackUpstream.with { upstream in
            upstream.setDefault(
                .openAIError(
                    status: 401,
                    message: "Incorrect API key provided: \(secret)",
                    type: "invalid_request_error"
                )
            )
            let config = """
                providers:
                  - name: keyed
                    type: openai
                    base_url: \(upstream.baseURL)
                    api_key_env: TEST_PROVIDER_KEY
                    default_model: m
                """
            try await DaemonProcess.with(
                config: config,
                environment: ["TEST_PROVIDER_KEY": secret, "NEUROLINK_LOG_LEVEL": "trace"]
            ) { daemon in
                try await FrameConnection.with(path: daemon.socketPath) { connection in
                    try await connection.send(
                        #"{"jsonrpc":"2.0","id":1,"method":"stream","params":{"input":{"text":"x"}}}"#
                    )
                    try await connection.send(#"{"jsonrpc":"2.0","id":2,"method":"status"}"#)
                    var raw = ""
                    for _ in 0..<2 {
                        let message = try #require(try await connection.readMessage())
                        raw += String(decoding: try JSONSerialization.data(withJSONObject: message), as: UTF8.self)
                    }
                    #expect(raw.contains("upstream_auth"))
                    #expect(raw.contains("env:TEST_PROVIDER_KEY"))
                    #expect(!raw.contains("SECRET-0123"))
                    let leaked = daemon.log.split(separator: "\n").filter { $0.contains("SECRET-0123") }
                    #expect(leaked.isEmpty, "log lines with the key: \(leaked)")
                    // The key did reach the upstream, in the Authorization header only.
                    #expect(upstream.requests().first?.header("authorization") == "Bearer \(secret)")
                }
            }
        }
    }
}
