import Foundation
import NeuroLinkClient
import NeuroLinkProtocol
import Testing

/// The whole path with a real language model: SmolLM2-135M served by llama-cpp-python's
/// OpenAI-compatible server on loopback, streamed through the real daemon.
///
/// `scripts/test.sh` prepares the model and sets `NEUROLINK_REQUIRE_E2E=1`, so in CI this test
/// always runs; elsewhere it runs when `NEUROLINK_DEMO_VENV` points at a prepared venv.
@Suite struct LocalModelEndToEndTests {
    static let environment = ProcessInfo.processInfo.environment
    static let enabled = environment["NEUROLINK_DEMO_VENV"] != nil || environment["NEUROLINK_REQUIRE_E2E"] == "1"
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    @Test(.enabled(if: enabled), .timeLimit(.minutes(3)))
    func streamsARealAnswerFromSmolLM2() async throws {
        let script = Self.repositoryRoot.appendingPathComponent("scripts/demo-model.sh").path
        var environment = ["PATH": "/usr/local/bin:/usr/bin:/bin"]
        for key in ["NEUROLINK_DEMO_VENV", "HOME", "XDG_CACHE_HOME"] { environment[key] = Self.environment[key] }
        func ask(_ command: String) async throws -> String {
            try await runTool("/bin/bash", [script, command], environment: environment).stdout
                .trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let python = try await ask("python")
        let model = try await ask("model-path")
        let port = try #require(Int(try await ask("free-port")))
        try #require(
            FileManager.default.isExecutableFile(atPath: python),
            "the demo venv is not prepared: run scripts/demo-model.sh install"
        )

        // Started directly (not through the script's background start) so this process owns it.
        let directory = try DaemonProcess.makeDirectory()
        let server = Process()
        server.executableURL = URL(fileURLWithPath: python)
        server.arguments = [
            "-m", "llama_cpp.server", "--model", model, "--model_alias", "smollm2", "--host", "127.0.0.1",
            "--port", String(port), "--n_ctx", "2048", "--interrupt_requests", "False",
        ]
        let serverLog = directory.appendingPathComponent("model.log")
        _ = FileManager.default.createFile(atPath: serverLog.path, contents: nil)
        let logHandle = try FileHandle(forWritingTo: serverLog)
        server.standardOutput = logHandle
        server.standardError = logHandle
        try server.run()
        defer {
            kill(server.processIdentifier, SIGKILL)
            try? FileManager.default.removeItem(at: directory)
        }
        try await Self.waitForModels(port: port, server: server, log: serverLog)

        let config = """
            providers:
              - name: local
                type: openai-compatible
                base_url: http://127.0.0.1:\(port)/v1
                default_model: smollm2
            defaults:
              max_tokens: 48
              temperature: 0.2
            """
        try await DaemonProcess.withClient(config: config, environment: ["NEUROLINK_LOG_LEVEL": "info"]) { _, client in
            var textChunks = 0
            var text = ""
            var result: StreamResult?
            for try await event in client.streamEvents(StreamRequest(prompt: "Tell me a story about AI")) {
                switch event {
                case .chunk(let chunk) where chunk.type == .text:
                    textChunks += 1
                    text += chunk.content ?? ""
                case .result(let final): result = final
                default: break
                }
            }
            let final = try #require(result)
            #expect(textChunks >= 2, "a real model streams token by token")
            #expect(!text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty)
            #expect(final.text == text)
            #expect(final.provider == "local")
            #expect([FinishReason.stop, .length].contains(final.finishReason))
        }
    }

    /// Polls `GET /v1/models` until the server answers (it loads the model first).
    static func waitForModels(port: Int, server: Process, log: URL) async throws {
        let deadline = ContinuousClock.now + .seconds(120)
        while ContinuousClock.now < deadline {
            // Blocking socket calls, so on a thread of their own rather than the cooperative pool.
            let answered = await onOwnThread {
                (try? TCPProbe(port: port))?.get("/v1/models").hasPrefix("HTTP/1.1 200")
            }
            if answered == true { return }
            guard server.isRunning else { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw DaemonProcessError(
            message: "model server did not start: \((try? String(contentsOf: log, encoding: .utf8)) ?? "")"
        )
    }
}

/// A one-shot blocking HTTP/1.1 GET over TCP on loopback (reads give up after 5 s).
struct TCPProbe {
    let fd: Int32

    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            close(fd)
            throw DaemonProcessError(message: "connect failed")
        }
        // A server that accepts but does not answer must not hold the thread for long.
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    func get(_ path: String) -> String {
        defer { close(fd) }
        let request = Array("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".utf8)
        _ = request.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        var buffer = [UInt8](repeating: 0, count: 512)
        let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        return n > 0 ? String(decoding: buffer[..<n], as: UTF8.self) : ""
    }
}
