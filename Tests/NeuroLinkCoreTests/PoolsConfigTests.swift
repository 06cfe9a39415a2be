import Testing

@testable import NeuroLinkCore

private let providers = """
    providers:
      - name: a
        type: openai-compatible
        base_url: http://127.0.0.1:1/v1
        default_model: m1
      - name: b
        type: openai-compatible
        base_url: http://127.0.0.1:2/v1
    """

private func parse(_ yaml: String) throws(ConfigError) -> DaemonConfig {
    try ConfigLoader(environment: [:]).parse(providers + "\n" + yaml, file: "pools.yaml")
}

@Suite struct PoolsConfigTests {
    @Test func parsesPoolsMembersAndRouting() throws {
        let config = try parse(
            """
            routing:
              max_attempts: 4
              backoff_base_ms: 100
              retry_budget: { ratio: 0.1, min_retries: 5, window_ms: 5000 }
              breaker: { consecutive_failures: 3, open_ms: 1000, max_open_ms: 8000, half_open_probes: 2 }
              health_check: { interval_ms: 0 }
              default_pool: fast
            pools:
              - name: fast
                strategy: weighted
                failover: [endpoint_switch]
                members:
                  - provider: a
                    weight: 3
                    specializations: [speed, function_calling]
                    context_window: 8192
                    thresholds: { max_latency_ms: 900, max_error_rate_pct: 5, min_throughput_tps: 20 }
                    timeouts: { first_chunk_ms: 500 }
                  - { provider: b, model: other, priority: 2, health_check: completion }
            """
        )
        #expect(config.routing.maxAttempts == 4)
        #expect(config.routing.retryBudgetRatio == 0.1)
        #expect(config.routing.breaker.maxOpenMs == 8000)
        #expect(config.routing.healthCheck.intervalMs == 0)
        #expect(config.routing.defaultPool == "fast")
        let pool = try #require(config.pools.first)
        #expect(pool.strategy == "weighted")
        #expect(pool.failover == [.endpointSwitch])
        #expect(pool.members.map(\.label) == ["a/m1", "b/other"])
        #expect(pool.members[0].weight == 3)
        #expect(pool.members[0].specializations == ["speed", "function_calling"])
        #expect(pool.members[0].maxLatencyMs == 900)
        #expect(pool.members[0].timeouts?.firstChunkMs == 500)
        #expect(pool.members[0].timeouts?.idleMs == DaemonConfig.Timeouts().idleMs)
        #expect(pool.members[1].completionProbe)
    }

    static let invalid: [(yaml: String, key: String, message: String)] = [
        (
            "pools:\n  - name: p\n    members: [{ provider: nope }]", "pools[0].members[0].provider",
            "is not a configured provider"
        ),
        ("pools:\n  - name: p\n    members: [{ provider: b }]", "pools[0].members[0].model", "has no default_model"),
        ("pools:\n  - name: a\n    members: [{ provider: a }]", "pools[0].name", "already the name of a provider"),
        (
            "pools:\n  - name: p\n    strategy: random\n    members: [{ provider: a }]", "pools[0].strategy",
            "must be one of"
        ),
        (
            "pools:\n  - name: p\n    failover: [teleport]\n    members: [{ provider: a }]", "pools[0].failover[0]",
            "must be one of"
        ),
        ("pools:\n  - name: p\n    members: []", "pools[0].members", "at least one member"),
        (
            "pools:\n  - name: p\n    members: [{ provider: a }, { provider: a }]", "pools[0].members[1]",
            "already members[0]"
        ),
        (
            "pools:\n  - name: p\n    members: [{ provider: a, weight: 0 }]", "pools[0].members[0].weight",
            "between 1 and"
        ),
        ("routing:\n  default_pool: missing", "routing.default_pool", "is not a configured pool"),
        (
            "routing:\n  breaker: { open_ms: 5000, max_open_ms: 1000 }", "routing.breaker.max_open_ms",
            "must not be less than open_ms"
        ),
        ("routing:\n  retries: 3", "routing.retries", "unknown key"),
    ]

    @Test(arguments: invalid.indices)
    func rejectsInvalidPoolsWithALocatedMessage(_ index: Int) {
        let (yaml, key, message) = Self.invalid[index]
        do {
            _ = try parse(yaml)
            Issue.record("accepted: \(yaml)")
        } catch {
            #expect(error.key == key, "\(error)")
            #expect(error.message.contains(message), "\(error)")
            #expect(error.line != nil, "\(error)")
        }
    }

    @Test func aPoolMayBeTheDefaultProvider() throws {
        let config = try parse("defaults:\n  provider: p\npools:\n  - name: p\n    members: [{ provider: a }]")
        #expect(config.defaults.provider == "p")
    }
}
