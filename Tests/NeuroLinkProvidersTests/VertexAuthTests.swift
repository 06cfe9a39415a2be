import Foundation
import NeuroLinkProtocol
import Testing
import _CryptoExtras

@testable import NeuroLinkProviders

@Suite struct VertexAuthTests {
    @Test func jwtHasGooglesClaimsAndAVerifiableRS256Signature() throws {
        let test = try #require(VertexTestAccount.shared)
        let jwt = ServiceAccountJWT(clientEmail: test.email, keyId: test.keyId, key: test.key)
        let now = Date(timeIntervalSince1970: 1_700_000_000.7)
        let token = try jwt.assertion(audience: "https://oauth2.googleapis.com/token", now: now)
        let (header, claims) = try #require(test.verify(token))
        #expect(
            header["alg"] as? String == "RS256" && header["typ"] as? String == "JWT"
                && header["kid"] as? String == "key-1234"
        )
        #expect(claims["iss"] as? String == test.email)
        #expect(claims["scope"] as? String == "https://www.googleapis.com/auth/cloud-platform")
        #expect(claims["aud"] as? String == "https://oauth2.googleapis.com/token")
        #expect(claims["iat"] as? Int == 1_700_000_000 && claims["exp"] as? Int == 1_700_003_600)
        #expect(!token.contains("=") && !token.contains("+") && !token.contains("/"))

        // Any change to the signed part breaks the signature; another key does not verify it.
        var parts = token.split(separator: ".").map(String.init)
        parts[1] = Base64URL.encode(Data(#"{"iss":"attacker@example.com"}"#.utf8))
        #expect(test.verify(parts.joined(separator: ".")) == nil)
        let other = try VertexTestAccount(tokenURI: test.tokenURI)
        #expect(other.verify(token) == nil)
    }

    @Test func serviceAccountFileParsingNeverEchoesTheKey() throws {
        let test = try #require(VertexTestAccount.shared)
        let account = try VertexServiceAccount.parse(test.keyFile())
        #expect(
            account.clientEmail == test.email && account.privateKeyId == "key-1234" && account.projectId == "project-x"
        )
        #expect(account.tokenURI == test.tokenURI)
        #expect(!"\(account)".contains("PRIVATE KEY"))

        func problem(_ data: Data) -> String? {
            do {
                _ = try VertexServiceAccount.parse(data)
                return nil
            } catch { return error.message }
        }
        #expect(problem(test.keyFile(type: "authorized_user"))?.contains("token_command") == true)
        #expect(problem(Data("not json".utf8)) != nil)
        let badKey = Data(
            #"{"type":"service_account","client_email":"a@b","private_key":"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"}"#
                .utf8
        )
        let message = try #require(problem(badKey))
        #expect(message.contains("private_key") && !message.contains("AAAA"))
        let withoutURI = Data(#"{"type":"service_account","client_email":"a@b","private_key":"x"}"#.utf8)
        #expect(problem(withoutURI) != nil)
    }

    @Test func tokenSourcePostsTheJWTBearerGrantAndReadsTheToken() async throws {
        let test = try #require(VertexTestAccount.shared)
        let endpoint = RecordingTokenEndpoint { _ in RecordingTokenEndpoint.token("ya29.first", expiresIn: 3599) }
        let source = try ServiceAccountTokenSource(
            account: test.account,
            tokenURI: "http://127.0.0.1:9/token",
            post: endpoint.post
        )
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        let token = try await source.fetch(now: now)
        #expect(token.value.value == "ya29.first")
        #expect(token.expiresAt == now.addingTimeInterval(3599) && token.refreshAt == now.addingTimeInterval(3299))

        let post = try #require(endpoint.recorded.first)
        #expect(post.url == "http://127.0.0.1:9/token")
        #expect(post.form.hasPrefix("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion="))
        let assertion = try #require(RecordingTokenEndpoint.assertion(in: post.form))
        let (_, claims) = try #require(test.verify(assertion))
        #expect(claims["aud"] as? String == "http://127.0.0.1:9/token")
    }

    @Test func refusedGrantsAndBadResponsesAreUpstreamAuthWithoutSecrets() async throws {
        let test = try #require(VertexTestAccount.shared)
        let refusing = RecordingTokenEndpoint { _ in
            TokenEndpointClient.Response(
                status: 400,
                body: Array(#"{"error":"invalid_grant","error_description":"Invalid JWT Signature."}"#.utf8)
            )
        }
        let source = try ServiceAccountTokenSource(
            account: test.account,
            tokenURI: "http://127.0.0.1:9/token",
            post: refusing.post
        )
        do {
            _ = try await source.fetch(now: Date())
            Issue.record("a refused grant must fail")
        } catch {
            let rpc = error.rpcError(provider: "vx")
            #expect(rpc.type == .upstreamAuth && !rpc.data.retryable)
            #expect(rpc.message.contains("HTTP 400: invalid_grant: Invalid JWT Signature."))
            let form = try #require(refusing.recorded.first).form
            let assertion = try #require(RecordingTokenEndpoint.assertion(in: form))
            #expect(!rpc.message.contains(assertion.prefix(40)) && !rpc.message.contains("PRIVATE"))
        }
        let unavailable = RecordingTokenEndpoint { _ in TokenEndpointClient.Response(status: 503, body: []) }
        let flaky = try ServiceAccountTokenSource(
            account: test.account,
            tokenURI: "http://x/token",
            post: unavailable.post
        )
        await #expect(throws: TokenFailure.self) { _ = try await flaky.fetch(now: Date()) }
        do { _ = try await flaky.fetch(now: Date()) } catch { #expect(error.retryable) }

        #expect(throws: TokenFailure.self) { try AccessToken.parse(Array(#"{"expires_in":10}"#.utf8), now: Date()) }
        #expect(throws: TokenFailure.self) {
            try AccessToken.parse(Array(#"{"access_token":"a\r\nX-Evil: 1"}"#.utf8), now: Date())
        }
        #expect(throws: TokenFailure.self) {
            try AccessToken.parse(Array(#"{"access_token":"a","token_type":"mac"}"#.utf8), now: Date())
        }
    }
}
