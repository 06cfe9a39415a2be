import Foundation
import LoopbackUpstream
import NeuroLinkTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `providers.list` and `models.list` against the real daemon, loopback upstreams in every
/// provider shape, a closed port and a port that accepts but never answers.
@Suite struct IntrospectionTests {
    static let secret = "sk-introspection-SECRET-value-0123456789"

    /// A TCP listener that completes handshakes (the kernel's backlog) but never reads or answers.
    private final class BlackHole {
        let fd: Int32
        let port: UInt16

        init() throws {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let bound = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                    bind(fd, pointer, length) == 0 && listen(fd, 16) == 0 && getsockname(fd, pointer, &length) == 0
                }
            }
            guard bound else {
                close(fd)
                throw DaemonProcessError(message: "could not listen: errno \(errno)")
            }
            self.fd = fd
            port = UInt16(bigEndian: address.sin_port)
        }

        deinit { close(fd) }
    }

    /// A port nothing listens on: a loopback upstream's, after it stopped.
    private func closedPortBaseURL() async throws -> String {
        let upstream = try await LoopbackUpstream.start()
        let url = upstream.baseURL
        try await upstream.shutdown()
        return url
    }

    private func config(upstream: LoopbackUpstream, dead: String, hole: UInt16) -> String {
        let root = upstream.baseURL.replacingOccurrences(of: "/v1", with: "")
        return """
            providers:
              - name: loop
                type: openai-compatible
                base_url: \(upstream.baseURL)
                default_model: loop-model
                api_key_env: INTRO_SECRET
              - name: claude-loop
                type: anthropic
                base_url: \(upstream.baseURL)
                api_key_env: INTRO_SECRET
              - name: gem
                type: google-ai
                base_url: \(root)/v1beta
                api_key_env: INTRO_SECRET
              - name: olla
                type: ollama
                base_url: \(root)
              - name: dead
                type: openai-compatible
                base_url: \(dead)
                api_key_env: INTRO_SECRET
              - name: hole
                type: openai-compatible
                base_url: http://127.0.0.1:\(hole)/v1
                # Listings follow the provider's timeouts (the 5 s check does not): fail fast here.
                timeouts:
                  first_chunk_ms: 1000
              - name: keyless
                type: openai
                base_url: \(upstream.baseURL)
                api_key_env: INTRO_NOT_SET
            """
    }

    private func withDaemon(_ body: (LoopbackUpstream, DaemonProcess) async throws -> Void) async throws {
        try await LoopbackUpstream.with { upstream in
            let hole = try BlackHole()
            let dead = try await closedPortBaseURL()
            try await DaemonProcess.with(
                config: config(upstream: upstream, dead: dead, hole: hole.port),
                environment: ["INTRO_SECRET": Self.secret]
            ) { daemon in
                try await body(upstream, daemon)
            }
            withExtendedLifetime(hole) {}
        }
    }

    private func call(
        _ daemon: DaemonProcess,
        _ method: String,
        params: String? = nil,
        id: Int = 1
    ) async throws -> [String: Any] {
        let paramsJSON = params.map { #","params":\#($0)"# } ?? ""
        var response: [String: Any] = [:]
        try await FrameConnection.with(path: daemon.socketPath) { connection in
            try await connection.send(#"{"jsonrpc":"2.0","id":\#(id),"method":"\#(method)"\#(paramsJSON)}"#)
            response = try await connection.readUntilResponse(id: id, timeout: .seconds(20)).response
        }
        return response
    }

    private func json(_ object: Any) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
    }

    @Test func providersListShowsConfigurationWithoutSecrets() async throws {
        try await withDaemon { _, daemon in
            let response = try await call(daemon, "providers.list")
            #expect(!(try json(response)).contains(Self.secret))
            let providers = try #require(
                (response["result"] as? [String: Any])?["providers"] as? [[String: Any]],
                "\(response)"
            )
            #expect(
                providers.map { $0["name"] as? String } == [
                    "loop", "claude-loop", "gem", "olla", "dead", "hole", "keyless",
                ]
            )
            let loop = try #require(providers.first)
            #expect(loop["type"] as? String == "openai-compatible")
            #expect(loop["credentialSource"] as? String == "env:INTRO_SECRET")
            #expect(loop["hasCredentials"] as? Bool == true)
            #expect(loop["defaultModel"] as? String == "loop-model")
            #expect((loop["host"] as? String)?.hasPrefix("127.0.0.1:") == true)
            #expect(loop["check"] == nil, "no check unless asked for")
            #expect(providers.last?["hasCredentials"] as? Bool == false)
            #expect(providers.map { $0["type"] as? String }.contains("google-ai"))
        }
    }

    @Test func checkReportsLatencyAndFailuresConcurrentlyWithoutBlockingTheConnection() async throws {
        try await withDaemon { _, daemon in
            try await FrameConnection.with(path: daemon.socketPath) { connection in
                let started = ContinuousClock.now
                try await connection.send(
                    #"{"jsonrpc":"2.0","id":1,"method":"providers.list","params":{"check":true}}"#
                )
                try await connection.send(#"{"jsonrpc":"2.0","id":2,"method":"health"}"#)
                // `hole` holds the check for its 5 s timeout; `health` must not wait for it.
                let first = try #require(try await connection.readMessage(timeout: .seconds(20)))
                #expect(first["id"] as? Int == 2, "health answered after the check: \(first)")
                // Well below the 5 s check (the bound leaves room for a busy machine).
                #expect(ContinuousClock.now - started < .seconds(4))
                let (response, _) = try await connection.readUntilResponse(id: 1, timeout: .seconds(20))
                let elapsed = ContinuousClock.now - started
                #expect(elapsed < .seconds(8), "checks did not run concurrently with a 5 s limit: \(elapsed)")
                #expect(!(try json(response)).contains(Self.secret))

                let providers = try #require(
                    (response["result"] as? [String: Any])?["providers"] as? [[String: Any]],
                    "\(response)"
                )
                let checks = Dictionary(
                    uniqueKeysWithValues: providers.compactMap { provider -> (String, [String: Any])? in
                        guard let name = provider["name"] as? String, let check = provider["check"] as? [String: Any]
                        else {
                            return nil
                        }
                        return (name, check)
                    }
                )
                #expect(checks.count == providers.count, "\(providers)")
                for name in ["loop", "claude-loop", "gem", "olla"] {
                    let check = try #require(checks[name])
                    #expect(check["ok"] as? Bool == true, "\(name): \(check)")
                    #expect(check["status"] as? Int == 200, "\(name): \(check)")
                    let latency = try #require(check["latencyMs"] as? Double, "\(name): \(check)")
                    #expect(latency > 0 && latency < 5000, "\(name): \(latency)")
                }
                let dead = try #require(checks["dead"])
                #expect(dead["ok"] as? Bool == false)
                #expect((dead["error"] as? [String: Any])?["type"] as? String == "upstream_error", "\(dead)")
                #expect(
                    ((dead["error"] as? [String: Any])?["message"] as? String)?.contains("could not reach") == true,
                    "\(dead)"
                )

                let hole = try #require(checks["hole"])
                #expect(hole["ok"] as? Bool == false)
                #expect((hole["error"] as? [String: Any])?["type"] as? String == "timeout", "\(hole)")
                let holeLatency = try #require(hole["latencyMs"] as? Double)
                #expect(holeLatency >= 4900 && holeLatency < 7000, "\(holeLatency)")

                let keyless = try #require(checks["keyless"])
                #expect(keyless["ok"] as? Bool == false)
                #expect((keyless["error"] as? [String: Any])?["type"] as? String == "upstream_auth", "\(keyless)")
            }
        }
    }

    @Test func modelsListReturnsEveryProvidersModels() async throws {
        try await withDaemon { upstream, daemon in
            let all = try await call(daemon, "models.list")
            #expect(!(try json(all)).contains(Self.secret))
            let result = try #require(all["result"] as? [String: Any], "\(all)")
            let models = try #require(result["models"] as? [[String: Any]])
            let pairs = models.map { "\($0["provider"] as? String ?? "?")/\($0["id"] as? String ?? "?")" }
            #expect(
                pairs == ["loop/loop-model", "claude-loop/loop-model", "gem/loop-model", "olla/loop-model"],
                "\(pairs)"
            )
            #expect(models.first?["ownedBy"] as? String == "loopback")
            let failed = try #require(result["failed"] as? [[String: Any]], "\(result)")
            #expect(failed.compactMap { $0["provider"] as? String } == ["dead", "hole", "keyless"], "\(failed)")
            #expect(result["unsupported"] == nil)
            let hole = try #require(failed.first { $0["provider"] as? String == "hole" })
            #expect((hole["error"] as? [String: Any])?["type"] as? String == "timeout", "\(hole)")

            // The listing is authenticated the way each provider expects.
            let listings = upstream.requests().filter { $0.method == "GET" }
            #expect(!listings.isEmpty)
        }
    }

    @Test func modelsListForOneProviderAndItsErrors() async throws {
        try await withDaemon { _, daemon in
            let loop = try await call(daemon, "models.list", params: #"{"provider":"loop"}"#)
            let models = try #require((loop["result"] as? [String: Any])?["models"] as? [[String: Any]], "\(loop)")
            #expect(models.map { $0["id"] as? String } == ["loop-model"])
            #expect(models.allSatisfy { $0["provider"] as? String == "loop" })

            let alias = try await call(daemon, "models.list", params: #"{"provider":"gemini"}"#)
            let aliasModels = try #require(
                (alias["result"] as? [String: Any])?["models"] as? [[String: Any]],
                "\(alias)"
            )
            #expect(aliasModels.map { $0["provider"] as? String } == ["gem"])
            #expect(aliasModels.first?["displayName"] as? String == "Loop Model")

            let dead = try await call(daemon, "models.list", params: #"{"provider":"dead"}"#)
            #expect(dead.errorType == "upstream_error", "\(dead)")
            #expect(dead.errorData?["provider"] as? String == "dead")

            let keyless = try await call(daemon, "models.list", params: #"{"provider":"keyless"}"#)
            #expect(keyless.errorType == "upstream_auth", "\(keyless)")

            let unknown = try await call(daemon, "models.list", params: #"{"provider":"nope"}"#)
            #expect(unknown.errorType == "provider_not_found", "\(unknown)")

            let badParam = try await call(daemon, "models.list", params: #"{"provider":""}"#)
            #expect(badParam.errorType == "invalid_params", "\(badParam)")
            let unknownParam = try await call(daemon, "providers.list", params: #"{"chek":true}"#)
            #expect(unknownParam.errorType == "invalid_params", "\(unknownParam)")
            let badCheck = try await call(daemon, "providers.list", params: #"{"check":"yes"}"#)
            #expect(badCheck.errorType == "invalid_params", "\(badCheck)")

            let unknownMethod = try await call(daemon, "providers.lst")
            let message = (unknownMethod["error"] as? [String: Any])?["message"] as? String ?? ""
            #expect(message.contains("providers.list") && message.contains("models.list"), "\(message)")
        }
    }

    // MARK: nlctl

    private func nlctl(_ arguments: [String]) async throws -> CommandResult {
        try await runTool(DaemonProcess.binary("nlctl"), arguments)
    }

    @Test func nlctlProvidersTableJSONAndCheckExitCodes() async throws {
        try await withDaemon { _, daemon in
            let table = try await nlctl(["--socket", daemon.socketPath, "providers"])
            #expect(table.status == 0, "\(table.stderr)")
            let lines = table.stdout.split(separator: "\n")
            #expect(lines.first?.hasPrefix("NAME") == true, "\(table.stdout)")
            #expect(
                lines.first?.contains("DEFAULT-MODEL") == true && lines.first?.contains("STATUS") == false,
                "\(table.stdout)"
            )
            #expect(table.stdout.contains("env:INTRO_SECRET (found)"), "\(table.stdout)")
            #expect(table.stdout.contains("env:INTRO_NOT_SET (MISSING)"), "\(table.stdout)")
            #expect(!table.stdout.contains(Self.secret) && !table.stderr.contains(Self.secret))

            let json = try await nlctl(["--socket", daemon.socketPath, "providers", "--json"])
            #expect(json.status == 0, "\(json.stderr)")
            let object = try #require(
                try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any],
                "\(json.stdout)"
            )
            #expect((object["providers"] as? [Any])?.count == 7)

            let checked = try await nlctl(["--socket", daemon.socketPath, "providers", "--check"])
            // The first failing provider in configuration order is `dead`: a provider error.
            #expect(checked.status == 3, "\(checked.stdout)\n\(checked.stderr)")
            #expect(checked.stdout.contains("STATUS") && checked.stdout.contains("LATENCY"), "\(checked.stdout)")
            let loopRow = checked.stdout.split(separator: "\n").first { $0.hasPrefix("loop ") }
            #expect(loopRow?.contains(" ok ") == true, "\(checked.stdout)")
            #expect(loopRow?.hasSuffix(" ms") == true, "\(checked.stdout)")
            #expect(checked.stderr.contains("dead: upstream_error"), "\(checked.stderr)")
            #expect(checked.stderr.contains("hole: timeout"), "\(checked.stderr)")
            #expect(!checked.stdout.contains(Self.secret) && !checked.stderr.contains(Self.secret))
        }
    }

    @Test func nlctlProvidersCheckExitsZeroWhenAllAnswer() async throws {
        try await LoopbackUpstream.with { upstream in
            try await DaemonProcess.with(config: loopConfig(upstream.baseURL)) { daemon in
                let run = try await nlctl(["--socket", daemon.socketPath, "providers", "--check", "--json"])
                #expect(run.status == 0, "\(run.stderr)")
                let object = try #require(
                    try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any],
                    "\(run.stdout)"
                )
                let check = ((object["providers"] as? [[String: Any]])?.first?["check"]) as? [String: Any]
                #expect(check?["ok"] as? Bool == true, "\(object)")
            }
        }
    }

    @Test func nlctlModelsOutputAndExitCodes() async throws {
        try await withDaemon { _, daemon in
            let one = try await nlctl(["--socket", daemon.socketPath, "models", "--provider", "loop"])
            #expect(one.status == 0, "\(one.stderr)")
            #expect(one.stdout.split(separator: "\n").first?.hasPrefix("PROVIDER") == true, "\(one.stdout)")
            #expect(one.stdout.contains("loop-model"), "\(one.stdout)")

            let json = try await nlctl(["--socket", daemon.socketPath, "models", "--provider", "olla", "--json"])
            #expect(json.status == 0, "\(json.stderr)")
            let object = try #require(
                try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any],
                "\(json.stdout)"
            )
            #expect((object["models"] as? [[String: Any]])?.first?["id"] as? String == "loop-model")

            let all = try await nlctl(["--socket", daemon.socketPath, "models"])
            #expect(all.status == 3, "first failure is dead's provider error: \(all.stderr)")
            #expect(all.stdout.contains("claude-loop"), "\(all.stdout)")
            #expect(all.stderr.contains("dead: upstream_error"), "\(all.stderr)")
            #expect(!all.stdout.contains(Self.secret) && !all.stderr.contains(Self.secret))

            let auth = try await nlctl(["--socket", daemon.socketPath, "models", "--provider", "keyless"])
            #expect(auth.status == 4, "\(auth.stderr)")
            let unknown = try await nlctl(["--socket", daemon.socketPath, "models", "--provider", "nope"])
            #expect(unknown.status == 2, "\(unknown.stderr)")
            let empty = try await nlctl(["--socket", daemon.socketPath, "models", "--provider", ""])
            #expect(empty.status == 64, "\(empty.stderr)")
        }
    }
}
