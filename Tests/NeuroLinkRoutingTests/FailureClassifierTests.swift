import NeuroLinkProtocol
import NeuroLinkRouting
import Testing

struct ClassifierCase: Sendable, CustomTestStringConvertible {
    let name: String
    let error: RPCError
    let expected: FailureClass
    var testDescription: String { name }

    init(
        _ name: String,
        _ type: ErrorType,
        status: Int? = nil,
        retryable: Bool? = nil,
        timeout: String? = nil,
        failureClass: FailureClass? = nil,
        message: String = "provider error",
        _ expected: FailureClass
    ) {
        self.name = name
        error = RPCError(
            type,
            message,
            data: ErrorData(
                type: type,
                retryable: retryable,
                timeout: timeout,
                upstreamStatus: status,
                failureClass: failureClass
            )
        )
        self.expected = expected
    }
}

let classifierCases: [ClassifierCase] = [
    ClassifierCase("adapter's class wins", .upstreamError, status: 500, failureClass: .contextLength, .contextLength),
    ClassifierCase("401", .upstreamAuth, status: 401, .auth),
    ClassifierCase("403", .upstreamAuth, status: 403, .auth),
    ClassifierCase("upstream_auth without status", .upstreamAuth, .auth),
    ClassifierCase("429", .rateLimited, status: 429, .rateLimited),
    ClassifierCase(
        "429 insufficient_quota (non-retryable)",
        .rateLimited,
        status: 429,
        retryable: false,
        message: "p: provider quota exhausted (HTTP 429)",
        .quotaExhausted
    ),
    ClassifierCase(
        "429 worded as exhausted quota",
        .rateLimited,
        status: 429,
        message: "You exceeded your current quota, please check your plan and billing details",
        .quotaExhausted
    ),
    ClassifierCase(
        "Gemini per-minute quota is a rate limit",
        .rateLimited,
        status: 429,
        message: "Quota exceeded for metric: generate_content_requests per minute",
        .rateLimited
    ),
    ClassifierCase("503", .upstreamError, status: 503, retryable: true, .overloaded),
    ClassifierCase("529", .upstreamError, status: 529, retryable: true, .overloaded),
    ClassifierCase(
        "500 saying overloaded",
        .upstreamError,
        status: 500,
        retryable: true,
        message: "overloaded_error: Overloaded",
        .overloaded
    ),
    ClassifierCase("500", .upstreamError, status: 500, retryable: true, .server),
    ClassifierCase("502", .upstreamError, status: 502, retryable: true, .server),
    ClassifierCase("first-chunk timeout", .timeout, timeout: "first_chunk", .timeout),
    ClassifierCase("408", .upstreamError, status: 408, retryable: true, .timeout),
    ClassifierCase(
        "connection refused",
        .upstreamError,
        retryable: true,
        message: "p: could not reach the provider: Connection refused",
        .network
    ),
    ClassifierCase(
        "stream cut short",
        .upstreamError,
        retryable: true,
        message: "p: the stream ended before message_stop",
        .network
    ),
    ClassifierCase(
        "malformed stream",
        .upstreamBadResponse,
        retryable: true,
        message: "p: malformed stream: x",
        .server
    ),
    ClassifierCase(
        "400",
        .upstreamInvalidRequest,
        status: 400,
        message: "p: provider rejected the request",
        .invalidRequest
    ),
    ClassifierCase("404", .upstreamInvalidRequest, status: 404, .invalidRequest),
    ClassifierCase("409", .upstreamInvalidRequest, status: 409, .invalidRequest),
    ClassifierCase("415", .upstreamInvalidRequest, status: 415, .invalidRequest),
    ClassifierCase("422", .upstreamInvalidRequest, status: 422, .invalidRequest),
    ClassifierCase(
        "413 prompt is too long",
        .upstreamInvalidRequest,
        status: 413,
        message: "prompt is too long: 210000 tokens > 200000 maximum",
        .contextLength
    ),
    ClassifierCase(
        "400 maximum context length",
        .upstreamInvalidRequest,
        status: 400,
        message: "This model's maximum context length is 8192 tokens",
        .contextLength
    ),
    ClassifierCase(
        "400 context_length_exceeded",
        .upstreamInvalidRequest,
        status: 400,
        message: "context_length_exceeded",
        .contextLength
    ),
    ClassifierCase(
        "400 input is too long",
        .upstreamInvalidRequest,
        status: 400,
        message: "Input is too long for requested model.",
        .contextLength
    ),
    ClassifierCase(
        "400 too many tokens",
        .upstreamInvalidRequest,
        status: 400,
        message: "Too many tokens in request",
        .contextLength
    ),
    ClassifierCase(
        "400 content filter",
        .upstreamInvalidRequest,
        status: 400,
        message: "The response was filtered due to the prompt triggering content management policy",
        .contentFilter
    ),
    ClassifierCase(
        "400 safety_settings is not a content filter",
        .upstreamInvalidRequest,
        status: 400,
        message: "Invalid value at 'safety_settings[0].threshold'",
        .invalidRequest
    ),
    ClassifierCase(
        "mid-stream overloaded",
        .upstreamError,
        retryable: true,
        message: "p: provider reported an error mid-stream (overloaded_error) Overloaded",
        .overloaded
    ),
    ClassifierCase(
        "mid-stream rate limit",
        .rateLimited,
        retryable: true,
        message: "p: provider reported an error mid-stream (rate_limit_error) slow down",
        .rateLimited
    ),
    ClassifierCase(
        "mid-stream context length",
        .upstreamError,
        retryable: false,
        message: "p: provider reported an error mid-stream: prompt is too long",
        .contextLength
    ),
    ClassifierCase(
        "mid-stream non-retryable",
        .upstreamError,
        retryable: false,
        message: "p: provider reported an error mid-stream (invalid_request_error) bad",
        .invalidRequest
    ),
    ClassifierCase("unexpected status, non-retryable", .upstreamError, status: 302, retryable: false, .invalidRequest),
]

@Suite struct FailureClassifierTests {
    @Test(arguments: classifierCases)
    func classifies(_ testCase: ClassifierCase) {
        #expect(FailureClassifier.classify(testCase.error) == testCase.expected)
    }

    @Test func tableCoversEveryClass() {
        let all: Set<FailureClass> = [
            .rateLimited, .overloaded, .server, .network, .timeout, .auth, .invalidRequest,
            .contextLength, .contentFilter, .quotaExhausted,
        ]
        #expect(Set(classifierCases.map(\.expected)) == all)
    }

    @Test func retryAfterComesFromRetryAfterMs() {
        let hinted = RPCError(.rateLimited, "slow down", data: ErrorData(type: .rateLimited, retryAfterMs: 1500))
        #expect(FailureClassifier.retryAfter(hinted) == .milliseconds(1500))
        #expect(FailureClassifier.retryAfter(RPCError(.rateLimited, "slow down")) == nil)
    }
}
