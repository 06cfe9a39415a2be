import Foundation
import NeuroLinkCore
import NeuroLinkProtocol
import NeuroLinkRouting
import Testing

/// A reload keeps the routing state of what did not change.
@Suite struct ReloadTests {
    private func config(_ yaml: String) throws -> DaemonConfig {
        try ConfigLoader(environment: [:]).parse(yaml, file: nil)
    }

    private let base = """
        providers:
          - {name: a, type: openai-compatible, base_url: "http://127.0.0.1:1/v1", default_model: m}
          - {name: b, type: openai-compatible, base_url: "http://127.0.0.1:2/v1", default_model: m}
        pools:
          - name: pool
            members:
              - {provider: a, model: m}
              - {provider: b, model: m}

        """

    /// Fails member `index` of `pool` until its breaker opens.
    private func trip(_ router: Router, member index: Int) {
        let runtime = router.pools[0].runtime
        for _ in 0..<20 {
            _ = runtime.begin(index, now: .now, force: true)
            _ = runtime.recordFailure(index, .server, retryAfter: nil, now: .now)
        }
    }

    private func breaker(_ router: Router, member index: Int) -> String? {
        router.poolStatuses(now: .now).first { $0.name == "pool" }?.members[index].breaker
    }

    @Test func unchangedMembersKeepTheirBreakerAndChangedOnesStartAfresh() throws {
        let first = try config(base)
        let registry = ProviderRegistry(config: first)
        let old = Router(config: first, registry: registry)
        trip(old, member: 0)
        trip(old, member: 1)
        #expect(breaker(old, member: 0) == "open")

        // Provider b moved; a did not.
        let second = try config(base.replacingOccurrences(of: "127.0.0.1:2", with: "127.0.0.1:3"))
        let reloaded = Router(config: second, registry: ProviderRegistry(config: second), previous: old)
        #expect(breaker(reloaded, member: 0) == "open", "a's definition did not change")
        #expect(breaker(reloaded, member: 1) == "closed", "b's provider changed")

        let fresh = Router(config: second, registry: ProviderRegistry(config: second))
        #expect(breaker(fresh, member: 0) == "closed")
    }
}
