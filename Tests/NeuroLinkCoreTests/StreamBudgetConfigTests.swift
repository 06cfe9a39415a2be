import Testing

@testable import NeuroLinkCore

/// `server.stream_memory_budget_bytes` and `server.max_paused_ms`.
@Suite struct StreamBudgetConfigTests {
    private func parse(_ yaml: String) throws(ConfigError) -> DaemonConfig {
        try ConfigLoader(environment: [:]).parse(yaml, file: "test.yaml")
    }

    @Test func defaults() throws {
        let server = try parse("server:\n  socket_mode: \"0660\"\n").server
        #expect(server.streamMemoryBudgetBytes == 64 << 20)
        #expect(server.maxPausedMs == 120_000)
        #expect(server.maxPaused == .milliseconds(120_000))
    }

    @Test func parsesBothKeys() throws {
        let server = try parse("server:\n  stream_memory_budget_bytes: 1048576\n  max_paused_ms: 500\n").server
        #expect(server.streamMemoryBudgetBytes == 1 << 20)
        #expect(server.maxPaused == .milliseconds(500))
    }

    @Test func zeroDisablesThePausedLimitAndTheRangeEndsAreAccepted() throws {
        let low = try parse("server:\n  max_paused_ms: 0\n").server
        #expect(low.maxPausedMs == 0 && low.maxPaused == nil)
        let high = try parse("server:\n  stream_memory_budget_bytes: 17179869184\n  max_paused_ms: 86400000\n").server
        #expect(high.streamMemoryBudgetBytes == 16 << 30 && high.maxPausedMs == 86_400_000)
    }

    @Test(arguments: [
        ("stream_memory_budget_bytes: 1048575", "server.stream_memory_budget_bytes"),
        ("stream_memory_budget_bytes: 17179869185", "server.stream_memory_budget_bytes"),
        ("stream_memory_budget_bytes: lots", "server.stream_memory_budget_bytes"),
        ("max_paused_ms: -1", "server.max_paused_ms"),
        ("max_paused_ms: 86400001", "server.max_paused_ms"),
    ])
    func rejectsOutOfRange(_ line: String, _ key: String) {
        let error = #expect(throws: ConfigError.self) { try parse("server:\n  \(line)\n") }
        #expect(error?.key == key)
        #expect(error?.line == 2)
    }
}
