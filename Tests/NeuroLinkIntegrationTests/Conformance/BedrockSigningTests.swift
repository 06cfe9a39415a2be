import Foundation
import LoopbackUpstream
import NeuroLinkClient
import NeuroLinkHTTP
import NeuroLinkProtocol
import Testing

@testable import NeuroLinkProviders

/// The request the daemon sends to Bedrock is SigV4-signed, and the signature verifies: recomputed
/// here over the request exactly as the loopback received it, it comes out the same.
@Suite struct BedrockSigningTests {
    @Test func recordedRequestCarriesAVerifiableSignature() async throws {
        try await LoopbackUpstream.with { upstream in
            let renderer = BedrockRenderer()
            upstream.setDefault(
                .raw(pieces: [renderer.renderBytes(WireScript(pieces: ["ok"]), model: "m")], delay: .zero)
            )
            let config = """
                providers:
                  - name: p
                    type: bedrock
                    base_url: http://127.0.0.1:\(upstream.port)
                    default_model: "anthropic.claude-3:0"
                    region: us-east-1
                """
            let text = try await DaemonProcess.withClient(config: config, environment: renderer.environment) {
                _,
                client in
                var text = ""
                for try await chunk in client.stream(StreamRequest(prompt: "hi")) { text += chunk.content ?? "" }
                return text
            }
            #expect(text == "ok")

            let recorded = try #require(upstream.requests().first)
            #expect(recorded.method == "POST")
            #expect(recorded.path == "/model/anthropic.claude-3%3A0/converse-stream")
            let authorization = try #require(recorded.header("authorization"))
            let pattern =
                #"^AWS4-HMAC-SHA256 Credential=AKIDTESTEXAMPLE/\d{8}/us-east-1/bedrock/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$"#
            let regex = try NSRegularExpression(pattern: pattern)
            let match = try #require(
                regex.firstMatch(in: authorization, range: NSRange(authorization.startIndex..., in: authorization))
            )
            let range: Range<String.Index>? = Range(match.range(at: 1), in: authorization)
            let signedHeaders = try String(authorization[#require(range)])
            #expect(signedHeaders.split(separator: ";").contains("host"))
            #expect(signedHeaders.split(separator: ";").contains("x-amz-date"))

            // Recompute: the signed headers as received (the signer adds x-amz-date itself from its clock).
            let amzDate = try #require(recorded.header("x-amz-date"))
            let date = try #require(SigV4Date.parse(amzDate))
            let headers = signedHeaders.split(separator: ";").map(String.init).filter { $0 != "x-amz-date" }.compactMap
            {
                name in
                recorded.header(name).map { HTTPHeader(name, $0) }
            }
            let signer = SigV4Signer(
                credentials: AWSCredentials(accessKeyId: "AKIDTESTEXAMPLE", secretAccessKey: Secret("test-secret-key")),
                region: "us-east-1",
                service: "bedrock",
                clock: { date }
            )
            let expected = try signer.headers(
                method: recorded.method,
                url: "http://127.0.0.1:\(upstream.port)\(recorded.path)",
                headers: headers,
                body: recorded.body
            )
            #expect(expected.first(named: "authorization") == authorization)
        }
    }
}
