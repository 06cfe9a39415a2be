import NeuroLinkProtocol
import Testing

@testable import NeuroLinkCommands

/// The `systemd:` and `reload:` lines of `nlctl status`.
@Suite struct StatusViewSystemdTests {
    private func status(systemd: SystemdStatus?, reload: ReloadStatus? = nil) -> StatusResult {
        StatusResult(
            version: "0.1.0",
            protocolVersion: "1",
            pid: 1,
            uptimeSeconds: 5,
            socketPath: "/run/neurolink/neurolinkd.sock",
            configPath: nil,
            providers: [],
            defaultProvider: "auto",
            activeStreams: 0,
            activeConnections: 0,
            totals: Totals(),
            lastReload: reload,
            systemd: systemd
        )
    }

    @Test func supervisedSocketActivatedWithWatchdog() {
        let text = StatusView(
            status(
                systemd: SystemdStatus(
                    supervised: true,
                    notify: true,
                    socketActivated: true,
                    watchdogTimeoutMs: 30_000,
                    journal: true,
                    invocationId: "abc123"
                )
            )
        ).render()
        #expect(
            text.contains(
                "systemd:   yes, socket-activated, watchdog 30s (keep-alive every 15s), logging to the journal, invocation abc123"
            ),
            "\(text)"
        )
    }

    @Test func notifyMissingIsShown() {
        let text = StatusView(
            status(
                systemd: SystemdStatus(
                    supervised: true,
                    notify: false,
                    socketActivated: false,
                    watchdogTimeoutMs: nil,
                    journal: false,
                    invocationId: nil
                )
            )
        ).render()
        #expect(
            text.contains("systemd:   yes, not socket-activated, no watchdog, no readiness notification"),
            "\(text)"
        )
    }

    @Test func startedByHandAndOlderDaemons() {
        let byHand = StatusView(
            status(
                systemd: SystemdStatus(
                    supervised: false,
                    notify: false,
                    socketActivated: false,
                    watchdogTimeoutMs: nil,
                    journal: false,
                    invocationId: nil
                )
            )
        ).render()
        #expect(byHand.contains("systemd:   no (started by hand)"))
        #expect(byHand.contains("reload:    none since start"))
        // A daemon that predates the field: no systemd line at all.
        #expect(!StatusView(status(systemd: nil)).render().contains("systemd:"))
    }

    @Test func lastReloadTimeAndResult() {
        let text = StatusView(status(systemd: nil, reload: ReloadStatus(at: 0, ok: false, message: "bad key"))).render()
        #expect(text.contains("reload:    1970-01-01T00:00:00Z REJECTED: bad key"), "\(text)")
    }
}
