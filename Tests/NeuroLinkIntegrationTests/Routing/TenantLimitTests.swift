import Foundation
import LoopbackUpstream
import NeuroLinkClient
import NeuroLinkProtocol
import Testing

/// Tenants are Unix users: two uids connecting to the real daemon get separate limits. The second
/// uid is `nobody` (65534), reached by running the real `nlctl` under util-linux `setpriv`, which
/// drops the test's root privileges before exec; that needs root, which is how the tests run.
@Suite(.enabled(if: getuid() == 0, "connecting as another uid needs root to drop privileges"))
struct TenantLimitTests {
    static let setpriv = "/usr/bin/setpriv"
    static let otherUID = 65534

    /// Runs `nlctl` with `arguments` as uid/gid 65534 with no supplementary groups.
    static func nlctlAsOtherUser(_ arguments: [String]) async throws -> CommandResult {
        try await runTool(
            setpriv,
            [
                "--reuid=\(otherUID)", "--regid=\(otherUID)", "--clear-groups",
                DaemonProcess.binary("nlctl"),
            ] + arguments
        )
    }

    @Test func aTenantOverItsLimitIsThrottledWhileAnotherIsNot() async throws {
        // If privileges cannot be dropped the test must fail, not pass by talking as root.
        let whoami = try await runTool(
            Self.setpriv,
            [
                "--reuid=\(Self.otherUID)", "--regid=\(Self.otherUID)", "--clear-groups",
                "/usr/bin/id", "-u",
            ]
        )
        try #require(
            whoami.status == 0 && whoami.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "\(Self.otherUID)",
            "setpriv could not drop to uid \(Self.otherUID): \(whoami.stderr)"
        )

        try await Upstreams.with(["a"]) { upstreams in
            // uid 65534 is named by the map; root keeps its user name as tenant. The socket must be
            // writable by the other uid (the temp directory is already world-traversable: umask 022).
            let config = """
                server:
                  socket_mode: "0666"
                rate_limits:
                  tenants:
                    map: { uids: { \(Self.otherUID): guest } }
                    guest: { requests_per_minute: 1, burst: 0 }
                """
            try await DaemonProcess.with(config: upstreams.config(config)) { daemon in
                let socket = ["--socket", daemon.socketPath]
                let first = try await Self.nlctlAsOtherUser(["generate"] + socket + ["--provider", "a", "hello"])
                #expect(first.status == 0, "guest's first request is within its limit: \(first.stderr)")

                let second = try await Self.nlctlAsOtherUser(["generate"] + socket + ["--provider", "a", "again"])
                #expect(
                    second.status == 5,
                    "guest over its limit must exit 5 (rate limited): \(second.status) \(second.stderr)"
                )
                #expect(second.stderr.contains("rate_limited"), "\(second.stderr)")
                #expect(second.stderr.contains("tenant guest"), "the error names the tenant's limit: \(second.stderr)")

                // Root is another tenant without that limit: all its requests go through meanwhile.
                try await NeuroLinkClient.withConnection(socketPath: daemon.socketPath) { client in
                    for index in 0..<3 {
                        let outcome = try await streamOnce(
                            client,
                            StreamRequest(prompt: "root \(index)", provider: "a")
                        )
                        #expect(
                            outcome.error == nil,
                            "root must not be throttled: \(String(describing: outcome.error))"
                        )
                    }
                }
                #expect(upstreams.chatRequests("a") == 4, "guest's throttled request must not reach the provider")

                // An admin (root) sees both tenants, with their own counters.
                let json = try await runTool(DaemonProcess.binary("nlctl"), ["limits", "--json"] + socket)
                #expect(json.status == 0, "\(json.stderr)")
                let limits = try JSONDecoder().decode(LimitsStatus.self, from: Data(json.stdout.utf8))
                let guest = limits.scopes.first { $0.scope == "tenant:guest" }
                let root = limits.scopes.first { $0.scope == "tenant:root" }
                #expect(guest?.kind == "tenant" && guest?.tenant == "guest", "\(limits.scopes.map(\.scope))")
                #expect(guest?.admitted == 1)
                #expect(guest?.rejections == ["requests": 1])
                #expect(guest?.buckets == [LimitBucketStatus(dimension: "requests", remaining: 0, capacity: 1)])
                #expect(root?.admitted == 3)
                #expect(root?.rejections == [:])
                #expect(root?.buckets == [], "root has no rate limit")
                #expect(limits.scopes.contains { $0.scope == "tenant:guest/provider:a" && $0.provider == "a" })
                #expect(limits.scopes.contains { $0.scope == "tenant:root/provider:a" })
                #expect(limits.scopes.first { $0.scope == "global" }?.admitted == 4)
                #expect(limits.queue.strategy == "reject" && limits.queue.rejected == 1)

                // Another uid sees its own tenant and the shared scopes, never another tenant's.
                let asGuest = try await Self.nlctlAsOtherUser(["limits", "--json"] + socket)
                #expect(asGuest.status == 0, "\(asGuest.stderr)")
                let guestView = try JSONDecoder().decode(LimitsStatus.self, from: Data(asGuest.stdout.utf8))
                #expect(guestView.scopes.contains { $0.scope == "tenant:guest" })
                #expect(guestView.scopes.contains { $0.scope == "global" })
                #expect(
                    !guestView.scopes.contains { $0.tenant?.hasPrefix("root") == true },
                    "\(guestView.scopes.map(\.scope))"
                )
                let table = try await Self.nlctlAsOtherUser(["limits"] + socket)
                #expect(table.status == 0, "\(table.stderr)")
                #expect(
                    table.stdout.contains("tenant:guest") && !table.stdout.contains("tenant:root"),
                    "\(table.stdout)"
                )
                let status = try await runTool(DaemonProcess.binary("nlctl"), ["status"] + socket)
                #expect(status.stdout.contains("limits:    4 admitted, 1 rejected (requests 1)"), "\(status.stdout)")
            }
        }
    }
}
