import Testing

@testable import NeuroLinkCore

/// Configuration numbers at their extremes are refused with the key's range, never clamped or wrapped.
@Suite struct ConfigNumbersTests {
    private func error(_ yaml: String, environment: [String: String] = [:]) -> ConfigError? {
        let providers = """
            providers:
              - name: openai
                type: openai-compatible
                base_url: http://127.0.0.1:1/v1

            """
        do {
            var config = try ConfigLoader(environment: environment).parse(providers + yaml, file: "n.yaml")
            try ConfigLoader(environment: environment).applyOverrides(&config)
            return nil
        } catch {
            return error
        }
    }

    @Test(arguments: [
        ("rate_limits:\n  estimation: { chars_per_token: .nan }", "between"),
        ("rate_limits:\n  estimation: { chars_per_token: .inf }", "between"),
        ("rate_limits:\n  provider_headers: { low_watermark: -.inf }", "between"),
        ("rate_limits:\n  global: { requests_per_second: 1e300 }", "between"),
        ("rate_limits:\n  global: { tokens_per_minute: 99999999999999999999999 }", "integer"),
        ("rate_limits:\n  global: { burst: -1 }", "between"),
        ("rate_limits:\n  queue: { max_queue_wait_ms: 9223372036854775807 }", "between"),
        ("server:\n  max_frame_bytes: -9223372036854775808", "between"),
        ("timeouts:\n  total_ms: .inf", "integer"),
        ("routing:\n  backoff_base_ms: 1.5", "integer"),
    ])
    func outOfRangeNumbersAreErrors(_ yaml: String, _ expected: String) {
        let message = error(yaml)?.description ?? "accepted"
        #expect(message.contains(expected), "\(yaml): \(message)")
    }

    @Test(arguments: ["99999999999999999999", "-1", "nan", "1e3"])
    func outOfRangeEnvironmentOverridesAreErrors(_ value: String) {
        let message = error("", environment: ["NEUROLINK_DRAIN_TIMEOUT_MS": value])?.description ?? "accepted"
        #expect(message.contains("must be an integer between"), "\(value): \(message)")
    }
}
