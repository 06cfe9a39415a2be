import Crypto
import Foundation
import LoopbackUpstream
import NeuroLinkProviders
import Synchronization
import Testing
import _CryptoExtras

/// Google's OAuth token endpoint, in miniature: it accepts the JWT-bearer grant only when the
/// assertion is RS256-signed by the test service account's key with the claims Google checks,
/// and hands out a fresh access token each time.
final class VertexTokenAuthority: Sendable {
    let server: TestHTTPServer
    let key: _RSA.Signing.PrivateKey
    let email = "conformance@test-project.iam.gserviceaccount.com"
    let keyId = "conformance-key"
    /// The service-account key file, pointing its `token_uri` at this server.
    let keyFilePath: String
    private let issued = Mutex<[String]>([])
    private let refusals = Mutex(0)

    /// One per test process: generating the key takes a moment.
    static let shared: VertexTokenAuthority? = try? VertexTokenAuthority()

    var tokenURI: String { server.baseURL + "/token" }
    var issuedTokens: [String] { issued.withLock { $0 } }
    var refusedGrants: Int { refusals.withLock { $0 } }

    init() throws {
        let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        // The server exists before the authority that answers for it; the box links them.
        let box = AuthorityBox()
        server = try TestHTTPServer { request in
            box.authority.withLock { $0 }?.answer(request) ?? TestHTTPServer.Response(status: 503, body: "{}")
        }
        self.key = key
        let directory = try DaemonProcess.makeDirectory()
        keyFilePath = directory.appendingPathComponent("service-account.json").path
        try Self.keyFile(key: key, email: email, keyId: keyId, tokenURI: server.baseURL + "/token")
            .write(to: URL(fileURLWithPath: keyFilePath))
        box.authority.withLock { $0 = self }
    }

    private final class AuthorityBox: Sendable {
        let authority = Mutex<VertexTokenAuthority?>(nil)
    }

    /// A key file as Google issues it.
    static func keyFile(key: _RSA.Signing.PrivateKey, email: String, keyId: String, tokenURI: String) throws -> Data {
        try JSONSerialization.data(withJSONObject: [
            "type": "service_account", "project_id": "test-project", "private_key_id": keyId,
            "private_key": key.pkcs8PEMRepresentation, "client_email": email, "client_id": "1", "token_uri": tokenURI,
        ])
    }

    /// Whether `authorization` is `Bearer <a token this authority issued>`.
    func accepts(_ authorization: String?) -> Bool {
        guard let authorization, authorization.hasPrefix("Bearer ") else { return false }
        return issuedTokens.contains(String(authorization.dropFirst("Bearer ".count)))
    }

    private func answer(_ request: TestHTTPServer.Request) -> TestHTTPServer.Response {
        guard request.method == "POST", request.path == "/token",
            request.header("content-type") == "application/x-www-form-urlencoded"
        else {
            return TestHTTPServer.Response(status: 404, body: #"{"error":"not_found"}"#)
        }
        var form: [String: String] = [:]
        for pair in String(decoding: request.body, as: UTF8.self).split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).removingPercentEncoding ?? "" }
            if parts.count == 2 { form[parts[0]] = parts[1] }
        }
        guard form["grant_type"] == "urn:ietf:params:oauth:grant-type:jwt-bearer", let assertion = form["assertion"],
            verify(assertion)
        else {
            refusals.withLock { $0 += 1 }
            return TestHTTPServer.Response(
                status: 400,
                body: #"{"error":"invalid_grant","error_description":"Invalid JWT Signature."}"#
            )
        }
        let token = issued.withLock { list -> String in
            list.append("ya29.loopback-\(list.count + 1)-\(UUID().uuidString.prefix(8))")
            return list[list.count - 1]
        }
        return TestHTTPServer.Response(
            status: 200,
            body: #"{"access_token":"\#(token)","expires_in":3599,"token_type":"Bearer"}"#
        )
    }

    /// RS256 over `header.claims` with this authority's key, and Google's claim rules.
    private func verify(_ jwt: String) -> Bool {
        let parts = jwt.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        func decode(_ part: String) -> Data? {
            var text = part.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
            text += String(repeating: "=", count: (4 - text.count % 4) % 4)
            return Data(base64Encoded: text)
        }
        guard parts.count == 3, let signature = decode(parts[2]),
            let header = decode(parts[0]).flatMap({ try? JSONSerialization.jsonObject(with: $0) as? [String: Any] }),
            let claims = decode(parts[1]).flatMap({ try? JSONSerialization.jsonObject(with: $0) as? [String: Any] }),
            key.publicKey.isValidSignature(
                _RSA.Signing.RSASignature(rawRepresentation: signature),
                for: SHA256.hash(data: Data("\(parts[0]).\(parts[1])".utf8)),
                padding: .insecurePKCS1v1_5
            ),
            header["alg"] as? String == "RS256", header["kid"] as? String == keyId,
            claims["iss"] as? String == email, claims["aud"] as? String == tokenURI,
            claims["scope"] as? String == "https://www.googleapis.com/auth/cloud-platform",
            let issuedAt = claims["iat"] as? Int, let expiry = claims["exp"] as? Int, expiry - issuedAt == 3600,
            abs(Double(issuedAt) - Date().timeIntervalSince1970) < 300
        else { return false }
        return true
    }
}

/// Vertex AI Gemini: the `google-ai` stream at the Vertex path, behind an OAuth bearer token that
/// the daemon obtains from ``VertexTokenAuthority`` with the service account's signed JWT.
struct VertexRenderer: WireRenderer, RecordedRequestChecking {
    var providerType = "vertex"
    var extraConfig: String { "    project: test-project\n    location: us-central1" }
    var environment: [String: String] {
        ["GOOGLE_APPLICATION_CREDENTIALS": VertexTokenAuthority.shared?.keyFilePath ?? "/missing"]
    }

    /// Gemini's stream; an in-stream failure is a google.rpc status in place of a response.
    func render(_ script: WireScript, model: String) -> String {
        guard let cut = script.inStreamErrorAfter else { return GeminiRenderer().render(script, model: model) }
        let events = script.pieces.prefix(cut).map { piece -> String in
            json([
                "candidates": [["content": ["parts": [["text": piece]], "role": "model"], "index": 0]],
                "modelVersion": model,
            ])
        }
        let failure = json(["error": ["code": 503, "message": "The model is overloaded.", "status": "UNAVAILABLE"]])
        return (events + [failure]).map { "data: \($0)\r\n\r\n" }.joined()
    }

    /// The stream request went to Vertex's path and carried a token the authority issued.
    func check(_ requests: [RecordedRequest], port: Int) {
        guard let request = requests.first else {
            Issue.record("vertex: no stream request was received")
            return
        }
        #expect(
            request.path
                == "/v1/projects/test-project/locations/us-central1/publishers/google/models/m:streamGenerateContent?alt=sse"
        )
        #expect(
            VertexTokenAuthority.shared?.accepts(request.header("authorization")) == true,
            "vertex: the stream's bearer token was not issued by the token endpoint"
        )
        #expect(request.header("x-goog-api-key") == nil)
    }
}
