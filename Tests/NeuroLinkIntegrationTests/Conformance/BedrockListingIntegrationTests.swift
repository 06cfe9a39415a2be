import Foundation
import NeuroLinkClient
import NeuroLinkHTTP
import NeuroLinkProtocol
import Testing

@testable import NeuroLinkProviders

/// `models.list` and the `providers.list` check for Bedrock through the daemon: a signed `GET
/// /foundation-models` to the control plane, answered only when its SigV4 signature verifies.
@Suite struct BedrockListingIntegrationTests {
    static let body = """
        {"modelSummaries":[
          {"modelId":"anthropic.claude-3-5-haiku-20241022-v1:0","modelName":"Claude 3.5 Haiku","providerName":"Anthropic",
           "outputModalities":["TEXT"],"responseStreamingSupported":true},
          {"modelId":"amazon.titan-text-express-v1","modelName":"Titan Text G1 - Express","providerName":"Amazon",
           "responseStreamingSupported":false}
        ]}
        """

    /// Answers `GET /foundation-models?byOutputModality=TEXT` when signed by the test key pair.
    static func controlPlane() throws -> TestHTTPServer {
        let holder = PortHolder()
        let server = try TestHTTPServer { request in
            guard request.method == "GET", request.path == "/foundation-models?byOutputModality=TEXT" else {
                return TestHTTPServer.Response(status: 404, body: #"{"message":"not found"}"#)
            }
            guard verifies(request, port: holder.port) else {
                return TestHTTPServer.Response(
                    status: 403,
                    headers: [
                        (
                            "x-amzn-ErrorType",
                            "InvalidSignatureException:http://internal.amazon.com/coral/com.amazon.coral.service/"
                        )
                    ],
                    body:
                        #"{"message":"The request signature we calculated does not match the signature you provided."}"#
                )
            }
            return TestHTTPServer.Response(status: 200, body: body)
        }
        holder.port = server.port
        return server
    }

    private final class PortHolder: @unchecked Sendable {
        var port = 0
    }

    static func verifies(_ request: TestHTTPServer.Request, port: Int) -> Bool {
        guard let authorization = request.header("authorization"), let amzDate = request.header("x-amz-date"),
            let date = SigV4Date.parse(amzDate),
            authorization.hasPrefix(
                "AWS4-HMAC-SHA256 Credential=AKIDLISTING/\(amzDate.prefix(8))/us-east-1/bedrock/aws4_request, "
            ),
            let signed = authorization.components(separatedBy: "SignedHeaders=").last?.components(separatedBy: ",")
                .first
        else { return false }
        let headers =
            signed.split(separator: ";").map(String.init).filter { $0 != "x-amz-date" && $0 != "host" }.compactMap {
                name in
                request.header(name).map { HTTPHeader(name, $0) }
            } + [HTTPHeader("host", request.header("host") ?? "")]
        let signer = SigV4Signer(
            credentials: AWSCredentials(accessKeyId: "AKIDLISTING", secretAccessKey: Secret("listing-secret")),
            region: "us-east-1",
            service: "bedrock",
            clock: { date }
        )
        let expected = try? signer.headers(
            method: "GET",
            url: "http://127.0.0.1:\(port)\(request.path)",
            headers: headers,
            body: []
        )
        return expected?.first(named: "authorization") == authorization
    }

    @Test func modelsAndCheckGoThroughTheSignedControlPlane() async throws {
        let server = try Self.controlPlane()
        defer { server.shutdown() }
        let config = """
            providers:
              - name: br
                type: bedrock
                region: us-east-1
                base_url: http://127.0.0.1:9
                models_base_url: \(server.baseURL)
              - name: wrong-key
                type: bedrock
                region: us-east-1
                aws_profile: other
                models_base_url: \(server.baseURL)
            """
        let directory = try DaemonProcess.makeDirectory()
        let credentials = directory.appendingPathComponent("credentials").path
        try "[other]\naws_access_key_id = AKIDLISTING\naws_secret_access_key = not-the-secret\n".write(
            toFile: credentials,
            atomically: true,
            encoding: .utf8
        )
        let environment = [
            "AWS_ACCESS_KEY_ID": "AKIDLISTING", "AWS_SECRET_ACCESS_KEY": "listing-secret",
            "AWS_SHARED_CREDENTIALS_FILE": credentials,
        ]
        try await DaemonProcess.withClient(config: config, environment: environment) { _, client in
            let listed = try await client.models(provider: "br")
            #expect(listed.models.map(\.id) == ["anthropic.claude-3-5-haiku-20241022-v1:0"])
            #expect(
                listed.models.first?.displayName == "Claude 3.5 Haiku"
                    && listed.models.first?.ownedBy == "Anthropic"
            )
            let checked = try await client.providers(check: true)
            #expect(checked.providers.first { $0.name == "br" }?.check?.ok == true)
            let wrong = checked.providers.first { $0.name == "wrong-key" }?.check
            #expect(wrong?.ok == false && wrong?.error?.type == "upstream_auth" && wrong?.status == 403)
            #expect(wrong?.error?.message.contains("not-the-secret") == false)
        }
        #expect(server.requests.count == 3)
    }
}
