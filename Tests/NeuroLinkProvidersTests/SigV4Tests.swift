import Foundation
import NeuroLinkHTTP
import Testing

@testable import NeuroLinkProviders

/// SigV4 against vectors of AWS's published `aws-sig-v4-test-suite` (service `service`,
/// us-east-1, 20150830T123600Z, the suite's example key); values cross-checked with botocore.
@Suite struct SigV4Tests {
    static let date = Date(timeIntervalSince1970: 1_440_938_160)  // 2015-08-30T12:36:00Z
    static let credentials = AWSCredentials(
        accessKeyId: "AKIDEXAMPLE",
        secretAccessKey: Secret("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
    )

    static func signer(service: String = "service", token: String? = nil) -> SigV4Signer {
        var credentials = credentials
        credentials.sessionToken = token.map(Secret.init)
        return SigV4Signer(credentials: credentials, region: "us-east-1", service: service, clock: { date })
    }

    struct Vector: Sendable, CustomTestStringConvertible {
        var name: String
        var method: String
        var url: String
        var headers: [HTTPHeader] = []
        var body: String = ""
        var signedHeaders: String
        var signature: String
        var testDescription: String { name }
    }

    static let vectors = [
        Vector(
            name: "get-vanilla",
            method: "GET",
            url: "https://example.amazonaws.com/",
            signedHeaders: "host;x-amz-date",
            signature: "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
        ),
        Vector(
            name: "post-vanilla",
            method: "POST",
            url: "https://example.amazonaws.com/",
            signedHeaders: "host;x-amz-date",
            signature: "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"
        ),
        Vector(
            name: "get-vanilla-query-order-key-case",
            method: "GET",
            url: "https://example.amazonaws.com/?Param2=value2&Param1=value1",
            signedHeaders: "host;x-amz-date",
            signature: "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"
        ),
        Vector(
            name: "post-x-www-form-urlencoded",
            method: "POST",
            url: "https://example.amazonaws.com/",
            headers: [HTTPHeader("Content-Type", "application/x-www-form-urlencoded")],
            body: "Param1=value1",
            signedHeaders: "content-type;host;x-amz-date",
            signature: "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a"
        ),
        Vector(
            name: "get-header-value-trim",
            method: "GET",
            url: "https://example.amazonaws.com/",
            headers: [HTTPHeader("My-Header1", " value1"), HTTPHeader("My-Header2", " \"a   b   c\"")],
            signedHeaders: "host;my-header1;my-header2;x-amz-date",
            signature: "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736"
        ),
    ]

    @Test(arguments: vectors)
    func publishedVector(_ vector: Vector) throws {
        let added = try Self.signer().headers(
            method: vector.method,
            url: vector.url,
            headers: vector.headers,
            body: Array(vector.body.utf8)
        )
        #expect(added.first(named: "x-amz-date") == "20150830T123600Z")
        #expect(
            added.first(named: "authorization")
                == "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
                + "SignedHeaders=\(vector.signedHeaders), Signature=\(vector.signature)"
        )
        #expect(added.first(named: "host") == nil, "the HTTP engine writes Host itself")
    }

    /// A Bedrock-shaped request: the `%3A` of the model id is encoded again (`%253A`) in the
    /// canonical URI, the port stays in `host`, and the session token is signed.
    @Test func bedrockPathIsDoubleEncodedAndTokenSigned() throws {
        let signer = Self.signer(service: "bedrock", token: "TOKEN")
        let headers = [
            HTTPHeader("content-type", "application/json"), HTTPHeader("accept", "application/vnd.amazon.eventstream"),
        ]
        let url = "http://127.0.0.1:8080/model/anthropic.claude-3%3A0/converse-stream"
        let body = Array(#"{"messages":[]}"#.utf8)
        let added = try signer.headers(method: "POST", url: url, headers: headers, body: body)
        #expect(added.first(named: "x-amz-security-token") == "TOKEN")
        #expect(
            added.first(named: "authorization")
                == "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/bedrock/aws4_request, "
                + "SignedHeaders=accept;content-type;host;x-amz-date;x-amz-security-token, "
                + "Signature=5b30455d3b8eb02d22c9b633cddec99a84313278b3b6e6adc3a1243b1bcab65f"
        )

        let parts = try #require(URLParts(url))
        let canonical = SigV4CanonicalRequest(
            method: "POST",
            path: parts.path,
            query: parts.query,
            headers: headers + added.filter { $0.name != "Authorization" } + [HTTPHeader("host", parts.hostHeader)],
            payloadHash: SigV4Hash.sha256Hex(body)
        )
        #expect(
            canonical.text == """
                POST
                /model/anthropic.claude-3%253A0/converse-stream

                accept:application/vnd.amazon.eventstream
                content-type:application/json
                host:127.0.0.1:8080
                x-amz-date:20150830T123600Z
                x-amz-security-token:TOKEN

                accept;content-type;host;x-amz-date;x-amz-security-token
                5e4ce7b36ba37b78a5d5f9fd08e6b7b54ba6879d651aa46ec9e1d6fa24ebe30a
                """
        )
    }

    @Test func contentHashHeaderIsOptional() throws {
        var signer = Self.signer()
        #expect(
            try signer.headers(method: "GET", url: "https://example.amazonaws.com/", headers: [], body: [])
                .first(named: "x-amz-content-sha256") == nil
        )
        signer.includesContentHash = true
        let added = try signer.headers(method: "GET", url: "https://example.amazonaws.com/", headers: [], body: [])
        #expect(
            added.first(named: "x-amz-content-sha256")
                == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        )
        #expect(
            added.first(named: "authorization")?.contains("SignedHeaders=host;x-amz-content-sha256;x-amz-date") == true
        )
    }

    @Test func canonicalPieces() {
        #expect(SigV4CanonicalRequest.canonicalURI(path: "/") == "/")
        #expect(SigV4CanonicalRequest.canonicalURI(path: "") == "/")
        #expect(SigV4CanonicalRequest.canonicalURI(path: "/a/./b/../c//d/") == "/a/c/d/")
        #expect(SigV4CanonicalRequest.canonicalURI(path: "/model/arn%3Aaws/x y") == "/model/arn%253Aaws/x%20y")
        #expect(SigV4CanonicalRequest.canonicalQuery("b=2&a=3&a=1&c") == "a=1&a=3&b=2&c=")
        #expect(SigV4CanonicalRequest.canonicalQuery("k=a%20b&x=%7E") == "k=a%20b&x=~")
        #expect(SigV4CanonicalRequest.canonicalValue("  a   b\tc  ") == "a b c")
        #expect(SigV4URIEncoding.encode("anthropic.claude-3:0/é") == "anthropic.claude-3%3A0%2F%C3%A9")
    }

    @Test func urlParts() throws {
        let parts = try #require(URLParts("https://user@Bedrock-Runtime.us-east-1.amazonaws.com:443/model/x?a=b#frag"))
        #expect(parts.hostHeader == "bedrock-runtime.us-east-1.amazonaws.com")
        #expect(parts.path == "/model/x" && parts.query == "a=b")
        #expect(URLParts("http://127.0.0.1:9000")?.hostHeader == "127.0.0.1:9000")
        #expect(URLParts("http://127.0.0.1:9000")?.path == "/")
        #expect(URLParts("not a url") == nil)
        #expect(URLParts("http:///path") == nil)
        #expect(throws: SigV4Signer.SigningError.invalidURL) {
            try Self.signer().headers(method: "GET", url: "nope", headers: [], body: [])
        }
    }

    @Test func dates() {
        #expect(SigV4Date(Self.date).amzDate == "20150830T123600Z")
        #expect(SigV4Date(Self.date).dateStamp == "20150830")
        #expect(SigV4Date(Date(timeIntervalSince1970: 951_782_400)).amzDate == "20000229T000000Z")  // leap day
        #expect(SigV4Date(Date(timeIntervalSince1970: 0)).amzDate == "19700101T000000Z")
        #expect(SigV4Date.parse("20150830T123600Z") == Self.date)
        #expect(SigV4Date.parse("2015-08-30") == nil)
        #expect(SigV4Date.parse("20151330T123600Z") == nil)
    }

    @Test func credentialsNeverPrinted() {
        let credentials = AWSCredentials(
            accessKeyId: "AKID",
            secretAccessKey: Secret("very-secret"),
            sessionToken: Secret("tok")
        )
        #expect(!"\(credentials)".contains("very-secret"))
        #expect(!String(reflecting: credentials).contains("tok"))
        #expect("\(credentials)" == "AWSCredentials(aws:env)")
    }
}
