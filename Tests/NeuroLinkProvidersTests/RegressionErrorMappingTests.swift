import NeuroLinkHTTP
import NeuroLinkProtocol
import NeuroLinkProviders
import Testing

/// Bugs found in review; each test failed before its fix.
@Suite struct RegressionErrorMappingTests {
    /// A hostile or broken upstream's retry hint used to crash the daemon (Double → Int overflow).
    @Test(arguments: [
        ("retry-after", "inf"), ("retry-after", "1e300"), ("retry-after-ms", "1e19"), ("retry-after-ms", "nan"),
    ])
    func absurdRetryHintsAreCappedNotFatal(_ header: (String, String)) {
        let value = HTTPErrorMapping.retryAfterMs([HTTPHeader(header.0, header.1)])
        #expect(value == nil || value == HTTPErrorMapping.maxRetryAfterMs)
    }

    @Test func hugeRetryAfterIsCappedAtOneDay() {
        #expect(
            HTTPErrorMapping.retryAfterMs([HTTPHeader("retry-after", "99999999999")])
                == HTTPErrorMapping.maxRetryAfterMs
        )
    }

    @Test func scrubbingLeavesOrdinaryHyphenatedWordsAlone() {
        #expect(Redaction.scrub("risk-assessment and desk-booking") == "risk-assessment and desk-booking")
        #expect(Redaction.scrub("key sk-abcdef123456.") == "key [redacted].")
    }

    @Test func absurdTokenCountsDoNotOverflow() throws {
        var decoder = OpenAIStreamDecoder(provider: "p")
        var events: [ProviderEvent] = []
        let line =
            "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":\(Int.max),\"completion_tokens\":5}}\n\ndata: [DONE]\n\n"
        try decoder.decode(Array(line.utf8), into: &events)
        #expect(events.contains(.usage(Usage(inputTokens: Int.max, outputTokens: 5, totalTokens: Int.max))))
    }
}
