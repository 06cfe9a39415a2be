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
        let directory = try DaemonProcess.makeDirectory()
        let pidFile = directory.appendingPathComponent("model.pid").path
        var environment = ["DEMO_MODEL_PIDFILE": pidFile, "PATH": "/usr/local/bin:/usr/bin:/bin"]
        for key in ["NEUROLINK_DEMO_VENV", "HOME", "XDG_CACHE_HOME"] { environment[key] = Self.environment[key] }
        let port = try #require(Int(try await runTool("/bin/bash", [script, "free-port"], environment: environment)
            .stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
        let started = try await runTool("/bin/bash", [script, "start", String(port)], environment: environment)
        try #require(started.status == 0, "model server did not start: \(started.stderr)")
        defer {
            // Stop the model server started above (its pid is in the pid file).
            let pid = (try? String(contentsOfFile: pidFile, encoding: .utf8)).flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
            if let pid { kill(pid, SIGTERM) }
            try? FileManager.default.removeItem(at: directory)
        }

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
        try await DaemonProcess.with(config: config, environment: ["NEUROLINK_LOG_LEVEL": "info"]) { daemon in
            try await NeuroLinkClient.withConnection(socketPath: daemon.socketPath) { client in
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
    }
}
