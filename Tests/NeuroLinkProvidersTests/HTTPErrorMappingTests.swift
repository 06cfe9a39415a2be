import Foundation
import NeuroLinkHTTP
import NeuroLinkProtocol
import NeuroLinkProviders
import Testing

private func body(_ json: String) -> [UInt8] { Array(json.utf8) }

private func openAIError(_ message: String, type: String = "invalid_request_error", code: String? = nil) -> [UInt8] {
    let codeJSON = code.map { "\"\($0)\"" } ?? "null"
    return body(#"{"error":{"message":"\#(message)","type":"\#(type)","param":null,"code":\#(codeJSON)}}"#)
}

@Suite struct HTTPErrorMappingTests {
    struct StatusCase: Sendable, CustomTestStringConvertible {
        var status: Int
        var headers: [HTTPHeader] = []
        var body: [UInt8] = []
        var type: ErrorType
        var retryable: Bool
        var retryAfterMs: Int? = nil
        var testDescription: String { "HTTP \(status) → \(type)" }
    }

    static let statusCases: [StatusCase] = [
        StatusCase(status: 401, body: openAIError("Incorrect API key provided"), type: .upstreamAuth, retryable: false),
        StatusCase(status: 403, type: .upstreamAuth, retryable: false),
        StatusCase(
            status: 429,
            headers: [HTTPHeader("retry-after", "2")],
            type: .rateLimited,
            retryable: true,
            retryAfterMs: 2000
        ),
        StatusCase(
            status: 429,
            headers: [HTTPHeader("Retry-After", "2"), HTTPHeader("retry-after-ms", "1500")],
            type: .rateLimited,
            retryable: true,
            retryAfterMs: 1500
        ),
        StatusCase(
            status: 429,
            headers: [HTTPHeader("retry-after", "0.25")],
            type: .rateLimited,
            retryable: true,
            retryAfterMs: 250
        ),
        StatusCase(status: 429, type: .rateLimited, retryable: true, retryAfterMs: nil),
        StatusCase(
            status: 429,
            body: openAIError(
                "You exceeded your current quota",
                type: "insufficient_quota",
                code: "insufficient_quota"
            ),
            type: .rateLimited,
            retryable: false
        ),
        StatusCase(status: 408, type: .upstreamError, retryable: true),
        StatusCase(status: 500, type: .upstreamError, retryable: true),
        StatusCase(status: 502, body: body("<html>Bad Gateway</html>"), type: .upstreamError, retryable: true),
        StatusCase(
            status: 503,
            headers: [HTTPHeader("retry-after", "5")],
            type: .upstreamError,
            retryable: true,
            retryAfterMs: 5000
        ),
        StatusCase(
            status: 400,
            body: openAIError("Unsupported parameter"),
            type: .upstreamInvalidRequest,
            retryable: false
        ),
        StatusCase(
            status: 404,
            body: openAIError("The model `nope` does not exist"),
            type: .upstreamInvalidRequest,
            retryable: false
        ),
        StatusCase(status: 422, type: .upstreamInvalidRequest, retryable: false),
        StatusCase(status: 418, type: .upstreamError, retryable: false),
    ]

    @Test(arguments: statusCases)
    func mapsStatus(_ c: StatusCase) {
        let error = HTTPErrorMapping.standardError(
            provider: "openai",
            status: c.status,
            headers: c.headers,
            body: c.body
        )
        #expect(error.type == c.type)
        #expect(error.code == c.type.code)
        #expect(error.data.retryable == c.retryable)
        #expect(error.data.retryAfterMs == c.retryAfterMs)
        #expect(error.data.upstreamStatus == c.status)
        #expect(error.data.provider == "openai")
        #expect(error.message.hasPrefix("openai: "))
        #expect(error.message.contains("\(c.status)"))
    }

    @Test func messageIncludesProviderMessage() {
        let error = HTTPErrorMapping.standardError(
            provider: "openai",
            status: 404,
            headers: [],
            body: openAIError("The model `gpt-9` does not exist")
        )
        #expect(error.message.contains("The model `gpt-9` does not exist"))
    }

    @Test func messageScrubsKeys() {
        let error = HTTPErrorMapping.standardError(
            provider: "openai",
            status: 401,
            headers: [],
            body: openAIError(
                "Incorrect API key provided: sk-abc123456789. You can find your API key at https://platform.openai.com."
            )
        )
        #expect(error.message.contains("Incorrect API key provided"))
        #expect(!error.message.contains("sk-abc123456789"))
        #expect(!error.message.contains("abc123456789"))
        #expect(error.message.contains("[redacted]"))
    }

    @Test(
        arguments: [
            (#"{"error":{"message":"nested"}}"#, "nested"),
            (#"{"error":"flat"}"#, "flat"),
            (#"{"message":"top"}"#, "top"),
            (#"{"detail":"other"}"#, nil),
            ("not json", nil),
            ("", nil),
            ("[1,2]", nil),
        ] as [(String, String?)]
    )
    func extractsMessage(_ json: String, _ expected: String?) {
        #expect(HTTPErrorMapping.message(from: body(json)) == expected)
    }

    @Test func longMessageIsTruncated() throws {
        let long = String(repeating: "ab ", count: 400)
        let message = try #require(HTTPErrorMapping.message(from: openAIError(long)))
        #expect(message.count == 500)
    }

    @Test(
        arguments: [
            (#"{"error":{"code":"insufficient_quota","type":"x"}}"#, "insufficient_quota"),
            (#"{"error":{"code":null,"type":"server_error"}}"#, "server_error"),
            (#"{"error":{"code":429}}"#, nil),
            (#"{"error":"x"}"#, nil),
        ] as [(String, String?)]
    )
    func extractsCode(_ json: String, _ expected: String?) {
        #expect(HTTPErrorMapping.code(from: body(json)) == expected)
    }

    // MARK: - Retry-After

    private static let now = Date(timeIntervalSince1970: 1_700_000_000)  // Tue, 14 Nov 2023 22:13:20 GMT

    @Test(
        arguments: [
            ([HTTPHeader("retry-after", "2")], 2000),
            ([HTTPHeader("Retry-After", " 7 ")], 7000),
            ([HTTPHeader("retry-after", "0")], 0),
            ([HTTPHeader("retry-after", "1.0001")], 1001),
            ([HTTPHeader("retry-after-ms", "1500"), HTTPHeader("retry-after", "2")], 1500),
            ([HTTPHeader("retry-after", "2"), HTTPHeader("Retry-After-Ms", "1500")], 1500),
            ([HTTPHeader("retry-after-ms", "12.2")], 13),
            ([HTTPHeader("retry-after-ms", "junk"), HTTPHeader("retry-after", "3")], 3000),
            ([HTTPHeader("retry-after", "Tue, 14 Nov 2023 22:13:30 GMT")], 10_000),
            ([HTTPHeader("retry-after", "Tue, 14 Nov 2023 22:15:20 GMT")], 120_000),
            ([HTTPHeader("retry-after", "Tue, 14 Nov 2023 22:13:00 GMT")], 0),
            ([HTTPHeader("retry-after", "-5")], nil),
            ([HTTPHeader("retry-after", "soon")], nil),
            ([HTTPHeader("retry-after-ms", "-1")], nil),
            // A date followed by non-ASCII bytes made Foundation's DateFormatter trap (fuzz-headers).
            (
                [
                    HTTPHeader(
                        "retry-after",
                        String(
                            decoding: Array("Thu, 01 Jan 2026 00:00:05".utf8) + [0xDC, 0xB8, 0xB2, 0xAB],
                            as: UTF8.self
                        )
                    )
                ], nil
            ),
            ([HTTPHeader("retry-after", "Tue, 14 Nov 2023 22:13:30 GMT\u{00E9}")], nil),
            ([], nil),
        ] as [([HTTPHeader], Int?)]
    )
    func retryAfter(_ headers: [HTTPHeader], _ expected: Int?) {
        #expect(HTTPErrorMapping.retryAfterMs(headers, now: Self.now) == expected)
    }

    // MARK: - Redaction

    @Test(arguments: [
        ("key sk-abc123456789 leaked", "key [redacted] leaked"),
        ("sk-proj-AbCdEf_123-456", "[redacted]"),
        ("Bearer key-abcdefgh", "Bearer [redacted]"),
        ("pk-live12345 and rk-test98765", "[redacted] and [redacted]"),
        ("token abcdefghijklmnopqrstuvwxyz0123456789 end", "token [redacted] end"),
        ("sk-short", "sk-short"),
        ("nothing secret here", "nothing secret here"),
        ("", ""),
    ])
    func scrubsKeyLikeTokens(_ input: String, _ expected: String) {
        #expect(Redaction.scrub(input) == expected)
    }

    @Test func scrubsConfiguredSecrets() {
        let secrets = [Secret("hunter2-secret"), Secret("plainpassword")]
        let text = "auth failed for hunter2-secret and plainpassword, twice: plainpassword"
        let scrubbed = Redaction.scrub(text, secrets: secrets)
        #expect(scrubbed == "auth failed for [redacted] and [redacted], twice: [redacted]")
    }

    @Test func ignoresTooShortSecrets() {
        #expect(Redaction.scrub("a b c", secrets: [Secret("a"), Secret("")]) == "a b c")
    }

    @Test func secretNeverPrints() {
        let secret = Secret("sk-abc123456789")
        #expect("\(secret)" == "<redacted>")
        #expect(String(reflecting: secret) == "<redacted>")
        #expect(!String(describing: [secret]).contains("abc123456789"))
    }

    @Test func adapterErrorUsesStandardMapping() {
        let adapter = OpenAIAdapter(
            endpoint: ProviderEndpoint(
                name: "local",
                type: .openaiCompatible,
                baseURL: "http://localhost:1/v1",
                apiKey: nil,
                defaultModel: nil
            )
        )
        let error = adapter.error(status: 429, headers: [HTTPHeader("retry-after", "3")], body: [])
        #expect(error.type == .rateLimited)
        #expect(error.data.retryAfterMs == 3000)
        #expect(error.data.provider == "local")
        #expect(error.message.hasPrefix("local: "))
    }
}
