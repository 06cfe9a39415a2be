import Foundation
import LoopbackUpstream
import NeuroLinkClient
import NeuroLinkProtocol
import NeuroLinkTestSupport
import Testing

/// The OpenAI-compatible HTTP front of the real daemon, driven with `curl`: streamed (SSE) and
/// whole chat completions, keys, the model list, errors in OpenAI's shape with their statuses, and
/// a client that hangs up ending the upstream request.
@Suite struct HTTPFrontTests {
    static let key = "sk-test-key"
    /// SHA-256 of ``key``, as `http.api_keys` holds it.
    static let keyHash = "0d62f396c1317066f55a96086517047c737087c61eb2bf016b72e6298927b15b"
    /// A key whose tenant is limited to 2 requests a second, and its SHA-256.
    static let limitedKey = "sk-limited-key"
    static let limitedKeyHash = "0aacba82431cb056ff40ca84b444f1ba641d6dd34615928c7113199965644872"

    static func config(_ upstream: LoopbackUpstream, port: Int, extra: String = "") -> String {
        loopConfig(
            upstream.baseURL,
            extra: """
                http:
                  listen: 127.0.0.1:\(port)
                  max_body_bytes: 4096
                  api_keys:
                    - {name: test, sha256: \(keyHash), tenant: team}
                \(extra)
                """
        )
    }

    /// A streamed chat request for `model` with the key, asking to close the connection after it.
    static func closingStreamRequest(model: String) -> String {
        let body = #"{"model":"\#(model)","messages":[{"role":"user","content":"hi"}],"stream":true}"#
        return "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(key)\r\n"
            + "Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"
    }

    /// `curl` with the key, printing the status code on the last line.
    static func curl(
        _ port: Int,
        _ path: String,
        body: String? = nil,
        key: String? = HTTPFrontTests.key,
        extra: [String] = []
    )
        async throws -> (status: Int, body: String)
    {
        var arguments = ["-sS", "-N", "-w", "\n%{http_code}", "http://127.0.0.1:\(port)\(path)"] + extra
        if let key { arguments += ["-H", "Authorization: Bearer \(key)"] }
        if let body { arguments += ["-H", "Content-Type: application/json", "--data-binary", body] }
        let run = try await runTool("/usr/bin/curl", arguments)
        let lines = run.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        return (Int(lines.last ?? "") ?? 0, lines.dropLast().joined(separator: "\n"))
    }

    static func waitUntilListening(_ port: Int) async throws {
        try await waitUntil(timeout: .seconds(10)) { try await curl(port, "/healthz", key: nil).status == 200 }
    }

    @Test func streamedAndWholeCompletionsInOpenAIsFormat() async throws {
        try await LoopbackUpstream.with { upstream in
            let port = FreePort.loopback()
            try await DaemonProcess.withClient(config: Self.config(upstream, port: port)) { _, client in
                try await Self.waitUntilListening(port)
                let streamed = try await Self.curl(
                    port,
                    "/v1/chat/completions",
                    body:
                        #"{"model":"loop","messages":[{"role":"user","content":"hi"}],"stream":true,"stream_options":{"include_usage":true}}"#
                )
                #expect(streamed.status == 200, "\(streamed.body)")
                let events = streamed.body.split(separator: "\n").filter { $0.hasPrefix("data: ") }.map {
                    $0.dropFirst(6)
                }
                #expect(events.last == "[DONE]", "\(streamed.body)")
                let objects = try events.dropLast().map {
                    try JSONDecoder().decode(JSONValue.self, from: Data($0.utf8))
                }
                #expect(objects.first?["choices"]?.arrayValue?.first?["delta"]?["role"]?.stringValue == "assistant")
                let text = objects.compactMap { $0["choices"]?.arrayValue?.first?["delta"]?["content"]?.stringValue }
                    .joined()
                #expect(text == "Hello from loopback", "\(streamed.body)")
                #expect(objects.allSatisfy { $0["object"]?.stringValue == "chat.completion.chunk" })
                let finish = objects.compactMap { $0["choices"]?.arrayValue?.first?["finish_reason"]?.stringValue }
                #expect(finish == ["stop"])
                #expect(objects.last?["usage"]?["total_tokens"] != nil, "the usage chunk: \(streamed.body)")

                let whole = try await Self.curl(
                    port,
                    "/v1/chat/completions",
                    body:
                        #"{"model":"loop","messages":[{"role":"user","content":[{"type":"text","text":"hi"}]}],"user":"u1"}"#,
                    extra: ["-D", "-"]
                )
                #expect(whole.status == 200)
                #expect(whole.body.lowercased().contains("x-neurolink-provider: loop"), "\(whole.body)")
                let json = try #require(whole.body.split(separator: "\r\n\r\n").last)
                let completion = try JSONDecoder().decode(JSONValue.self, from: Data(json.utf8))
                #expect(completion["object"]?.stringValue == "chat.completion")
                #expect(
                    completion["choices"]?.arrayValue?.first?["message"]?["content"]?.stringValue
                        == "Hello from loopback"
                )

                let socket = try await client.generate(StreamRequest(prompt: "hi", provider: "loop"))
                #expect(socket.text == text, "the socket and the HTTP front give the same text")

                let models = try await Self.curl(port, "/v1/models")
                #expect(
                    models.status == 200 && models.body.contains(#""loop\/loop-model""#)
                        || models.body.contains("loop/loop-model"),
                    "\(models.body)"
                )
            }
        }
    }

    @Test func keysErrorsAndLimitsAnswerInOpenAIsShape() async throws {
        try await LoopbackUpstream.with { upstream in
            let port = FreePort.loopback()
            try await DaemonProcess.with(config: Self.config(upstream, port: port)) { _ in
                try await Self.waitUntilListening(port)
                let body = #"{"messages":[{"role":"user","content":"hi"}]}"#
                let cases: [(String, String?, String?, [String], Int, String)] = [
                    ("/v1/chat/completions", body, nil, [], 401, "invalid_api_key"),
                    ("/v1/chat/completions", body, "sk-wrong", [], 401, "invalid_api_key"),
                    ("/v1/chat/completions", "{not json", Self.key, [], 400, "parse_error"),
                    ("/v1/chat/completions", #"{"messages":[]}"#, Self.key, [], 400, "invalid_params"),
                    (
                        "/v1/chat/completions", #"{"model":"nope/x","messages":[{"role":"user","content":"hi"}]}"#,
                        Self.key, [], 404, "provider_not_found"
                    ),
                    (
                        "/v1/chat/completions", String(repeating: " ", count: 5000) + body, Self.key, [], 413,
                        "body_too_large"
                    ),
                    ("/v1/chat/completions", nil, Self.key, [], 405, "method_not_allowed"),
                    ("/v1/nothing", nil, Self.key, [], 404, "not_found"),
                ]
                for (path, payload, key, extra, status, code) in cases {
                    let answer = try await Self.curl(port, path, body: payload, key: key, extra: extra)
                    #expect(answer.status == status, "\(path) \(payload?.prefix(40) ?? ""): \(answer.body)")
                    let error = try? JSONDecoder().decode(JSONValue.self, from: Data(answer.body.utf8))
                    #expect(error?["error"]?["code"]?.stringValue == code, "\(answer.body)")
                    #expect(error?["error"]?["message"]?.stringValue?.isEmpty == false)
                    #expect(!answer.body.contains(Self.key), "keys are never echoed")
                }
                let x = try await Self.curl(port, "/v1/models", key: nil, extra: ["-H", "x-api-key: \(Self.key)"])
                #expect(x.status == 200, "x-api-key works too: \(x.body)")
                for (header, status) in [
                    ("authorization: bEaReR \t \(Self.key) \t", 200), ("Authorization: Basic \(Self.key)", 401),
                    ("Authorization: Bearer", 401), ("Authorization: Bearer\(Self.key)", 401),
                ] {
                    let answer = try await Self.curl(port, "/v1/models", key: nil, extra: ["-H", header])
                    #expect(answer.status == status, "\(header): \(answer.body)")
                }
                #expect(try await Self.curl(port, "/readyz", key: nil).status == 200)
                let metrics = try await Self.curl(port, "/metrics", key: nil)
                #expect(metrics.status == 200 && metrics.body.contains("neurolink_"))
            }
        }
    }

    @Test func aClientThatHangsUpEndsTheUpstreamRequest() async throws {
        try await LoopbackUpstream.with { upstream in
            upstream.register(
                model: "long",
                .stream(OpenAIStream(pieces: (0..<200).map { "w\($0) " }, delay: .milliseconds(50)))
            )
            let port = FreePort.loopback()
            try await DaemonProcess.with(config: Self.config(upstream, port: port)) { _ in
                try await Self.waitUntilListening(port)
                let started = ContinuousClock.now
                _ = try await Self.curl(
                    port,
                    "/v1/chat/completions",
                    body: #"{"model":"long","messages":[{"role":"user","content":"hi"}],"stream":true}"#,
                    extra: ["--max-time", "0.5"]
                )
                let closed = await upstream.waitForConnectionClose(model: "long", timeout: .seconds(3))
                let at = try #require(closed?.clientClosedAt, "the daemon closed the upstream connection")
                #expect(at - started < .seconds(2), "within moments of the hang-up")
            }
        }
    }

    @Test func embeddingsComeFromTheCachesEmbeddingModelAsFloatsOrBase64() async throws {
        try await LoopbackUpstream.with { upstream in
            upstream.register(model: "words", .wordVectors(dimensions: 16))
            let port = FreePort.loopback()
            let extra = "cache:\n  semantic:\n    enabled: true\n    embedding: {provider: loop, model: words}\n"
            try await DaemonProcess.with(config: Self.config(upstream, port: port) + extra) { _ in
                try await Self.waitUntilListening(port)
                let floats = try await Self.curl(
                    port,
                    "/v1/embeddings",
                    body: #"{"model":"any","input":["red apple","red apple"]}"#
                )
                #expect(floats.status == 200, "\(floats.body)")
                let json = try JSONDecoder().decode(JSONValue.self, from: Data(floats.body.utf8))
                let vectors = json["data"]?.arrayValue?.compactMap { $0["embedding"]?.arrayValue } ?? []
                #expect(vectors.count == 2 && vectors[0].count == 16 && vectors[0] == vectors[1], "\(floats.body)")
                let packed = try await Self.curl(
                    port,
                    "/v1/embeddings",
                    body: #"{"input":"red apple","encoding_format":"base64"}"#
                )
                let text = try JSONDecoder().decode(JSONValue.self, from: Data(packed.body.utf8))["data"]?.arrayValue?
                    .first?["embedding"]?.stringValue
                #expect(text.flatMap { Data(base64Encoded: $0) }?.count == 64, "\(packed.body)")
                let empty = try await Self.curl(port, "/v1/embeddings", body: #"{"input":[]}"#)
                #expect(empty.status == 400)
            }
        }
    }

    @Test func aKeysTenantIsRateLimitedWithRetryAfter() async throws {
        try await LoopbackUpstream.with { upstream in
            let port = FreePort.loopback()
            let limits = "rate_limits:\n  tenants:\n    team: {requests_per_minute: 1, burst: 0}\n"
            try await DaemonProcess.with(config: Self.config(upstream, port: port) + limits) { _ in
                try await Self.waitUntilListening(port)
                let body = #"{"messages":[{"role":"user","content":"hi"}]}"#
                #expect(try await Self.curl(port, "/v1/chat/completions", body: body).status == 200)
                let limited = try await Self.curl(port, "/v1/chat/completions", body: body, extra: ["-D", "-"])
                #expect(limited.status == 429, "\(limited.body)")
                let head = limited.body.lowercased()
                #expect(head.contains("retry-after: ") && head.contains("retry-after-ms: "), "\(limited.body)")
                #expect(head.contains(#""type":"rate_limit_error""#) && head.contains("tenant team"), "\(limited.body)")
                // A streamed request refused before its first event gets the same headers.
                let streamed = #"{"stream":true,"messages":[{"role":"user","content":"hi"}]}"#
                let refused = try await Self.curl(port, "/v1/chat/completions", body: streamed, extra: ["-D", "-"])
                #expect(refused.status == 429, "\(refused.body)")
                let streamedHead = refused.body.lowercased()
                #expect(
                    streamedHead.contains("retry-after: ") && streamedHead.contains("retry-after-ms: "),
                    "\(refused.body)"
                )
            }
        }
    }

    /// Embeddings are admitted like chat requests: they count against the key's tenant (and the
    /// embedding provider's) limits, and a refusal is the same 429.
    @Test func embeddingsCountAgainstTheTenantsRateLimits() async throws {
        try await LoopbackUpstream.with { upstream in
            upstream.register(model: "words", .wordVectors(dimensions: 16))
            let port = FreePort.loopback()
            let extra = """
                cache:
                  semantic:
                    enabled: true
                    embedding: {provider: loop, model: words}
                rate_limits:
                  tenants:
                    team: {requests_per_minute: 1, burst: 0}

                """
            try await DaemonProcess.with(config: Self.config(upstream, port: port) + extra) { _ in
                try await Self.waitUntilListening(port)
                let body = #"{"model":"any","input":"red apple"}"#
                let first = try await Self.curl(port, "/v1/embeddings", body: body)
                #expect(first.status == 200, "\(first.body)")
                let limited = try await Self.curl(port, "/v1/embeddings", body: body, extra: ["-D", "-"])
                #expect(limited.status == 429, "\(limited.body)")
                let head = limited.body.lowercased()
                #expect(head.contains("retry-after: ") && head.contains("retry-after-ms: "), "\(limited.body)")
                #expect(head.contains(#""type":"rate_limit_error""#) && head.contains("tenant team"), "\(limited.body)")
                let chat = #"{"messages":[{"role":"user","content":"hi"}]}"#
                #expect(try await Self.curl(port, "/v1/chat/completions", body: chat).status == 429)
            }
        }
    }

    /// A regression: the listeners' accept loops ended by shutdown were taken for failures, and
    /// the daemon exited 1 instead of 0.
    @Test func sigtermWithTheHTTPFrontAndTheMetricsListenerExitsZero() async throws {
        try await LoopbackUpstream.with { upstream in
            let port = FreePort.loopback()
            let metrics = "metrics:\n  listen: 127.0.0.1:\(FreePort.loopback())\n"
            let daemon = try await DaemonProcess(config: Self.config(upstream, port: port) + metrics)
            try await Self.waitUntilListening(port)
            daemon.send(SIGTERM)
            let status = await daemon.waitForExit(timeout: .seconds(15))
            #expect(status == 0, "\(daemon.log.suffix(1500))")
            await daemon.stop()
        }
    }

    @Test func idleConnectionsCloseButALongStreamIsNotCut() async throws {
        try await LoopbackUpstream.with { upstream in
            let pieces = (0..<40).map { "w\($0) " }
            upstream.register(model: "slow", .stream(OpenAIStream(pieces: pieces, delay: .milliseconds(25))))
            let port = FreePort.loopback()
            try await DaemonProcess.with(config: Self.config(upstream, port: port, extra: "  idle_timeout_ms: 300\n")) {
                _ in
                try await Self.waitUntilListening(port)
                let started = ContinuousClock.now
                let idle = RawHTTP.idle(port: port, timeout: .seconds(5))
                #expect(idle, "the daemon closed the silent connection")
                #expect(ContinuousClock.now - started < .seconds(3))
                let long = try await Self.curl(
                    port,
                    "/v1/chat/completions",
                    body: #"{"model":"slow","messages":[{"role":"user","content":"hi"}],"stream":true}"#,
                    extra: ["-D", "-"]
                )
                #expect(
                    long.body.contains("data: [DONE]"),
                    "a 1 s answer outlives a 300 ms idle limit: \(long.body.suffix(200))"
                )
                #expect(
                    long.body.lowercased().contains("x-neurolink-provider: loop"),
                    "streamed heads name the provider"
                )
            }
        }
    }

    /// A client that stops reading an SSE stream: the daemon pauses the upstream instead of
    /// buffering it, its memory stays bounded, and afterwards the client receives every byte.
    @Test func aSlowReaderPausesTheUpstreamAndLosesNothing() async throws {
        try await Self.withAnswerOfZ(pieces: 5_000) { upstream, daemon, port, letters in
            let baseline = daemon.rssKiB
            let descriptor = try #require(RawHTTP.open(port: port, request: Self.closingStreamRequest(model: "big")))
            defer { close(descriptor) }
            try await Task.sleep(for: .seconds(2))  // not reading
            let request = try #require(upstream.requests().first { $0.model == "big" })
            #expect(request.completedAt == nil, "the upstream must be paused, not drained into memory")
            let grown = daemon.rssKiB - baseline
            #expect(grown < 16 * 1024, "daemon RSS grew by \(grown) KiB while the client was not reading")
            let received = RawHTTP.readAll(descriptor)
            #expect(received.letters == letters, "every byte arrives: \(received.letters)")
            #expect(received.done, "the stream ends with [DONE]: \(received.tail)")
        }
    }

    /// A `Connection: close` answer larger than the socket holds, to a client that reads it only
    /// later: the daemon finishes writing while the end of the answer still waits in its own
    /// buffer, and must close only once that went out. (Closing at once dropped it: the stream
    /// ended short, without `[DONE]`, whenever the client was slow at the end.) The client offers
    /// a small window and segment size, so the kernel holds some tens of KiB, not megabytes.
    @Test func aClosingConnectionSendsItsWholeAnswerToALateReader() async throws {
        try await Self.withAnswerOfZ(pieces: 10) { _, _, port, letters in
            let request = Self.closingStreamRequest(model: "big")
            let descriptor = try #require(RawHTTP.open(port: port, request: request, smallWindow: true))
            defer { close(descriptor) }
            try await Task.sleep(for: .seconds(1))  // the daemon has written everything by now
            let received = RawHTTP.readAll(descriptor)
            #expect(received.letters == letters, "every byte arrives: \(received.letters)")
            #expect(received.done, "the stream ends with [DONE]: \(received.tail)")
        }
    }

    /// A daemon with the front whose model `big` streams `pieces` pieces of 8,000 `Z`s; the body
    /// gets the upstream, the daemon, the front's port and how many `Z`s the answer holds.
    static func withAnswerOfZ(
        pieces: Int,
        _ body: (LoopbackUpstream, DaemonProcess, Int, Int) async throws -> Void
    ) async throws {
        try await LoopbackUpstream.with { upstream in
            let piece = String(repeating: "Z", count: 8000)
            upstream.register(model: "big", .stream(OpenAIStream(pieces: Array(repeating: piece, count: pieces))))
            let port = FreePort.loopback()
            try await DaemonProcess.with(config: Self.config(upstream, port: port)) { daemon in
                try await Self.waitUntilListening(port)
                try await body(upstream, daemon, port, piece.utf8.count * pieces)
            }
        }
    }

    @Test func nlctlKeysHashPrintsTheHashTheConfigurationTakes() async throws {
        let run = try await runTool(DaemonProcess.binary("nlctl"), ["keys", "hash"], stdin: Self.key + "\n")
        #expect(run.status == 0 && run.stdout == Self.keyHash + "\n", "\(run)")
    }

    @Test func anonymousLoopbackCallersNeedTheSetting() async throws {
        try await LoopbackUpstream.with { upstream in
            let port = FreePort.loopback()
            let extra = "  allow_unauthenticated_loopback: true\n  anonymous_tenant: local\n"
            try await DaemonProcess.with(config: Self.config(upstream, port: port, extra: extra)) { _ in
                try await Self.waitUntilListening(port)
                let answer = try await Self.curl(
                    port,
                    "/v1/chat/completions",
                    body: #"{"messages":[{"role":"user","content":"hi"}]}"#,
                    key: nil
                )
                #expect(answer.status == 200, "\(answer.body)")
            }
        }
    }

    /// The official `openai` Python SDK (scripts/openai-sdk.sh; `NEUROLINK_OPENAI_PYTHON`) against
    /// the front: streamed and whole chat, a tool call assembled by the SDK's stream helper, a JSON
    /// schema answer, the model list, and the SDK's own error types for 401 and 404.
    @Test(.enabled(if: OpenAISDK.python != nil || OpenAISDK.required))
    func theOfficialOpenAISDKWorksAgainstTheFront() async throws {
        let python = try #require(
            OpenAISDK.python,
            "NEUROLINK_OPENAI_PYTHON must name the SDK's python (scripts/openai-sdk.sh)"
        )
        try await LoopbackUpstream.with { upstream in
            let renderer = OpenAIRenderer()
            let call = WireScript.ToolCallScript(
                id: "call_w",
                name: "get_weather",
                fragments: [#"{"city":"#, #""Oslo"}"#]
            )
            upstream.register(
                model: "tools",
                .raw(
                    pieces: [
                        renderer.renderBytes(
                            WireScript(pieces: [], toolCall: call, finish: "tool_calls"),
                            model: "tools"
                        )
                    ],
                    delay: .zero
                )
            )
            upstream.register(model: "json", .stream(OpenAIStream(pieces: [#"{"a":"#, " 1}"])))
            let port = FreePort.loopback()
            let config =
                ProviderConformanceTests.config(renderer, upstream: upstream) + """
                    http:
                      listen: 127.0.0.1:\(port)
                      api_keys:
                        - {name: test, sha256: \(Self.keyHash), tenant: team}
                        - {name: slow, sha256: \(Self.limitedKeyHash), tenant: limited}
                    rate_limits:
                      tenants:
                        limited: {requests_per_second: 2, burst: 0}
                    cache:
                      semantic:
                        enabled: true
                        embedding: {provider: p, model: words}

                    """
            upstream.register(model: "words", .wordVectors(dimensions: 16))
            try await DaemonProcess.with(config: config) { _ in
                try await Self.waitUntilListening(port)
                let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
                    "openai_sdk_check.py"
                ).path
                let run = try await runTool(python, [script, "http://127.0.0.1:\(port)/v1", Self.key, Self.limitedKey])
                #expect(run.status == 0, "\(run.stderr)")
                let seen = try JSONDecoder().decode(JSONValue.self, from: Data(run.stdout.utf8))
                #expect(seen["streamed"]?.stringValue == "Hello from loopback", "\(run.stdout)")
                #expect(seen["usage"]?.intValue != nil)
                #expect(seen["whole"]?.stringValue == "Hello from loopback" && seen["finish"]?.stringValue == "stop")
                #expect(seen["tool"]?.arrayValue?.dropFirst().first?.stringValue == "get_weather")
                #expect(seen["tool"]?.arrayValue?.last?["city"]?.stringValue == "Oslo", "\(run.stdout)")
                #expect(seen["toolFinish"]?.stringValue == "tool_calls")
                #expect(seen["json"]?["a"]?.intValue == 1)
                #expect(seen["models"]?.arrayValue?.contains(.string("p/m")) == true)
                #expect(seen["embedding"]?.intValue == 16, "\(run.stdout)")
                #expect(seen["retried"] == .array([.number(0), .number(1)]), "the SDK retried the 429: \(run.stdout)")
                #expect(seen["retriedText"]?.stringValue == "Hello from loopback")
                #expect((seen["retryWait"]?.numberValue ?? 0) >= 0.3, "it waited for retry-after: \(run.stdout)")
                #expect(seen["unauthorized"]?.intValue == 401 && seen["notFound"]?.intValue == 404, "\(run.stdout)")
            }
        }
    }
}

/// Where the `openai` SDK's python is, and whether the suite must run with it (CI).
enum OpenAISDK {
    static let python = ProcessInfo.processInfo.environment["NEUROLINK_OPENAI_PYTHON"]
    static let required = ProcessInfo.processInfo.environment["NEUROLINK_REQUIRE_E2E"] == "1"
}

/// The HTTP front on a TCP socket systemd passes (`neurolinkd-http.socket`), through the real
/// `systemd-socket-activate`, next to the Unix socket. Serial: while it runs, Foundation notices no
/// other child process ending (see SystemdTests).
@Suite struct HTTPFrontActivationSerialTests {
    @Test func aPassedTCPSocketServesTheFrontWithoutHTTPListen() async throws {
        let activate = "/usr/bin/systemd-socket-activate"
        try #require(FileManager.default.isExecutableFile(atPath: activate), "install Debian's systemd package")
        let directory = try DaemonProcess.makeDirectory()
        let socketPath = directory.appendingPathComponent("d.sock").path
        let port = FreePort.loopback()
        // No runTool() while systemd-socket-activate runs (see SystemdTests' socket activation caveat).
        let daemon = try await DaemonProcess(
            config: loopConfig("http://127.0.0.1:9/v1", extra: "http:\n  allow_unauthenticated_loopback: true\n"),
            directory: directory,
            waitForSocket: false,
            launcher: [activate, "-l", socketPath, "-l", "127.0.0.1:\(port)", "-E", "NEUROLINK_LOG_LEVEL"]
        )
        defer { daemon.send(SIGKILL) }
        var answer = ""
        let deadline = ContinuousClock.now + .seconds(15)
        while !answer.contains("\r\n\r\nok"), ContinuousClock.now < deadline {
            answer = RawHTTP.get(port: port, path: "/healthz") ?? ""
            if !answer.contains("\r\n\r\nok") { try await Task.sleep(for: .milliseconds(50)) }
        }
        #expect(answer.hasPrefix("HTTP/1.1 200"), "\(answer)")
        let models = RawHTTP.get(port: port, path: "/v1/models") ?? ""
        #expect(models.hasPrefix("HTTP/1.1 200") && models.contains("loop/loop-model"), "\(models)")
        daemon.send(SIGTERM)
        let status = await daemon.waitForExit(timeout: .seconds(15))
        #expect(status == 0, "exit \(String(describing: status)): \(daemon.log.suffix(2000))")
        try? FileManager.default.removeItem(at: directory)
    }
}

/// A GET over a plain TCP socket: no child process (see the caveat above), no HTTP library.
enum RawHTTP {
    /// Connects and sends `request`; the socket, or `nil` when that failed.
    /// With `smallWindow`, the client offers a 4 KiB receive buffer and 536-byte segments, which
    /// also keeps the server's send buffer small (Linux sizes it from the segment size).
    static func open(port: Int, request: String, smallWindow: Bool = false) -> Int32? {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        if smallWindow {
            // Set before connecting: the handshake carries them.
            var size: Int32 = 4096
            var segment: Int32 = 536
            setsockopt(descriptor, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
            setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_MAXSEG, &segment, socklen_t(MemoryLayout<Int32>.size))
        }
        guard descriptor >= 0, connect(descriptor, port: port),
            send(descriptor, request, request.utf8.count, 0) == request.utf8.count
        else {
            close(descriptor)
            return nil
        }
        return descriptor
    }

    /// Reads to the end of the connection: how many `Z` bytes came (a letter nothing but the
    /// answer holds), whether `[DONE]` did, and the last bytes. An interrupted read is retried; a
    /// read that waited 30 s ends it.
    static func readAll(_ descriptor: Int32) -> (letters: Int, done: Bool, tail: String) {
        var timeout = timeval(tv_sec: 30, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        var count = 0
        var tail = [UInt8]()
        while true {
            let received = recv(descriptor, &buffer, buffer.count, 0)
            if received < 0, errno == EINTR { continue }
            guard received > 0 else {
                if received < 0 { tail += Array(" (recv failed: errno \(errno))".utf8) }
                break
            }
            count += buffer[0..<received].reduce(0) { $0 + ($1 == UInt8(ascii: "Z") ? 1 : 0) }
            tail = Array((tail + buffer[0..<received]).suffix(64))
        }
        let text = String(decoding: tail, as: UTF8.self)
        return (count, text.contains("[DONE]"), text)
    }

    /// Connects and sends nothing; whether the server closed the connection within `timeout`.
    static func idle(port: Int, timeout: Duration) -> Bool {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var limit = timeval(tv_sec: Int(timeout.components.seconds), tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        guard connect(descriptor, port: port) else { return false }
        var byte: UInt8 = 0
        return recv(descriptor, &byte, 1, 0) == 0
    }

    static func connect(_ descriptor: Int32, port: Int) -> Bool {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        } == 0
    }

    static func get(port: Int, path: String) -> String? {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        guard connect(descriptor, port: port) else { return nil }
        let request = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
        guard send(descriptor, request, request.utf8.count, 0) == request.utf8.count else { return nil }
        return readToEnd(descriptor)
    }

    /// Everything the server sends until it closes (at most 5 s between reads).
    static func readToEnd(_ descriptor: Int32) -> String {
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var response = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = recv(descriptor, &buffer, buffer.count, 0)
            guard count > 0 else { break }
            response += buffer[0..<count]
        }
        return String(decoding: response, as: UTF8.self)
    }
}
