import Foundation
import LoopbackUpstream
import NeuroLinkClient
import NeuroLinkProtocol
import Testing
import _CryptoExtras

/// Vertex authentication through the real daemon: the service-account grant against a token
/// endpoint that verifies the JWT, token reuse across requests, the token command, and failures.
@Suite struct VertexAuthIntegrationTests {
    static func config(upstream: LoopbackUpstream, extra: String, providers: String = "") -> String {
        """
        providers:
          - name: vx
            type: vertex
            base_url: http://127.0.0.1:\(upstream.port)
            default_model: m
            project: test-project
        \(extra)
        \(providers)
        routing:
          max_attempts: 1
        """
    }

    static func text(_ client: NeuroLinkClient) async throws -> String {
        var text = ""
        for try await chunk in client.stream(StreamRequest(prompt: "hi")) { text += chunk.content ?? "" }
        return text
    }

    @Test func oneTokenServesManyRequestsAndEveryStreamCarriesIt() async throws {
        // An authority of its own: the shared one serves other tests at the same time.
        let authority = try VertexTokenAuthority()
        defer { authority.server.shutdown() }
        try await LoopbackUpstream.with { upstream in
            upstream.setDefault(
                .raw(
                    pieces: [Array(VertexRenderer().render(WireScript(pieces: ["o", "k"]), model: "m").utf8)],
                    delay: .zero
                )
            )
            let texts = try await DaemonProcess.with(
                config: Self.config(upstream: upstream, extra: "    credentials_file: \(authority.keyFilePath)")
            ) { daemon in
                try await NeuroLinkClient.withConnection(socketPath: daemon.socketPath) { client in
                    try await withThrowingTaskGroup(of: String.self) { group in
                        for _ in 0..<6 { group.addTask { try await Self.text(client) } }
                        var texts: [String] = []
                        for try await text in group { texts.append(text) }
                        texts.append(try await Self.text(client))
                        return texts
                    }
                }
            }
            #expect(texts == Array(repeating: "ok", count: 7))
            let streams = upstream.requests()
            #expect(streams.count == 7)
            #expect(streams.allSatisfy { authority.accepts($0.header("authorization")) })
            #expect(Set(streams.compactMap { $0.header("authorization") }).count == 1)  // one token, shared
            #expect(authority.server.requests.count == 1 && authority.issuedTokens.count == 1)
        }
    }

    @Test func aKeyTheTokenEndpointRejectsIsAnUpstreamAuthErrorWithoutSecrets() async throws {
        let authority = try #require(VertexTokenAuthority.shared)
        try await LoopbackUpstream.with { upstream in
            // Same account and token endpoint, wrong private key: the signature does not verify.
            let impostor = try _RSA.Signing.PrivateKey(keySize: .bits2048)
            let directory = try DaemonProcess.makeDirectory()
            let path = directory.appendingPathComponent("stolen.json").path
            try VertexTokenAuthority.keyFile(
                key: impostor,
                email: authority.email,
                keyId: authority.keyId,
                tokenURI: authority.tokenURI
            )
            .write(to: URL(fileURLWithPath: path))
            let refusedBefore = authority.refusedGrants
            try await DaemonProcess.with(
                config: Self.config(upstream: upstream, extra: "    credentials_file: \(path)")
            ) {
                daemon in
                try await NeuroLinkClient.withConnection(socketPath: daemon.socketPath) { client in
                    do {
                        _ = try await Self.text(client)
                        Issue.record("a refused grant must fail the request")
                    } catch let error as RPCError {
                        #expect(error.type == .upstreamAuth && !error.retryable, "\(error)")
                        #expect(error.message.contains("invalid_grant: Invalid JWT Signature."), "\(error.message)")
                        #expect(!error.message.contains("PRIVATE KEY") && !error.message.contains("eyJ"))
                    }
                    let status = try await client.providers()
                    #expect(
                        status.providers.first?.credentialSource == "file:\(path)"
                            && status.providers.first?.hasCredentials == true
                    )
                }
                #expect(
                    !daemon.log.contains("PRIVATE KEY")
                        && !daemon.log.contains(String(impostor.pkcs8PEMRepresentation.dropFirst(40).prefix(40)))
                )
            }
            #expect(authority.refusedGrants > refusedBefore)
            #expect(upstream.requests().isEmpty)  // nothing is sent without a token
        }
    }

    @Test func tokenCommandSuppliesTheBearer() async throws {
        try await LoopbackUpstream.with { upstream in
            upstream.setDefault(
                .raw(
                    pieces: [Array(VertexRenderer().render(WireScript(pieces: ["ok"]), model: "m").utf8)],
                    delay: .zero
                )
            )
            let directory = try DaemonProcess.makeDirectory()
            let script = directory.appendingPathComponent("print-token").path
            try "#!/bin/sh\necho ya29.from-command-$1\n".write(toFile: script, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: script)
            let slow = directory.appendingPathComponent("slow-token").path
            try "#!/bin/sh\nexec sleep 30\n".write(toFile: slow, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: slow)
            let config = Self.config(
                upstream: upstream,
                extra: "    token_command: \(script) abc",
                providers: """
                      - name: slow
                        type: vertex
                        base_url: http://127.0.0.1:\(upstream.port)
                        default_model: m
                        project: test-project
                        token_command: [\(slow)]
                        token_command_timeout_ms: 300
                    """
            )
            try await DaemonProcess.withClient(config: config) { _, client in
                #expect(try await Self.text(client) == "ok")
                do {
                    for try await _ in client.stream(StreamRequest(prompt: "hi", provider: "slow")) {}
                    Issue.record("a token command that times out must fail the request")
                } catch let error as RPCError {
                    #expect(
                        error.type == .upstreamAuth && error.message.contains("did not finish within 300 ms"),
                        "\(error)"
                    )
                }
            }
            #expect(upstream.requests().first?.header("authorization") == "Bearer ya29.from-command-abc")
            #expect(upstream.requests().count == 1)
        }
    }
}
