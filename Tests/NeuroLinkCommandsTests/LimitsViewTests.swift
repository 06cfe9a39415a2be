import Foundation
import NeuroLinkProtocol
import Testing

@testable import NeuroLinkCommands

/// `nlctl limits` and the limits line of `nlctl status`.
@Suite struct LimitsViewTests {
    static let sample = LimitsStatus(
        scopes: [
            LimitScopeStatus(
                scope: "global",
                kind: "global",
                currentRate: 12.34,
                buckets: [LimitBucketStatus(dimension: "requests", remaining: 8, capacity: 11)],
                inFlight: 3,
                maxInFlight: 16,
                admitted: 120,
                rejections: ["requests": 4]
            ),
            LimitScopeStatus(
                scope: "provider:openai",
                kind: "provider",
                provider: "openai",
                currentRate: 2,
                buckets: [],
                inFlight: 1,
                maxInFlight: 12,
                admitted: 40,
                rejections: ["provider_paused": 1]
            ),
            LimitScopeStatus(
                scope: "tenant:alice",
                kind: "tenant",
                tenant: "alice",
                currentRate: 0.5,
                buckets: [
                    LimitBucketStatus(dimension: "requests", remaining: 0, capacity: 2),
                    LimitBucketStatus(dimension: "tokens", remaining: 9000, capacity: 10000),
                ],
                inFlight: 0,
                maxInFlight: nil,
                admitted: 7,
                rejections: [:]
            ),
            LimitScopeStatus(
                scope: "tenant:alice/provider:openai",
                kind: "tenant_provider",
                tenant: "alice",
                provider: "openai",
                currentRate: 0.5,
                buckets: [],
                inFlight: 0,
                maxInFlight: nil,
                admitted: 7,
                rejections: ["concurrency": 2]
            ),
        ],
        providers: [
            ProviderLimitStatus(
                provider: "anthropic",
                pacing: "paced",
                pacingIntervalMs: 250,
                reported: [
                    ProviderWindowStatus(
                        dimension: "tokens",
                        limit: 40000,
                        remaining: 1500,
                        resetInMs: 4200
                    )
                ]
            ),
            ProviderLimitStatus(
                provider: "openai",
                pacing: "paused",
                pausedUntil: 1_800_000_000,
                pausedForMs: 42_000,
                reported: [
                    ProviderWindowStatus(
                        dimension: "requests",
                        limit: 100,
                        remaining: 0,
                        resetInMs: 42_000
                    )
                ],
                adaptiveLimit: 12
            ),
        ],
        queue: AdmissionQueueStatus(
            strategy: "queue",
            maxSize: 100,
            maxWaitMs: 30_000,
            depth: 2,
            oldestWaitMs: 1500,
            queued: 10,
            admitted: 7,
            timedOut: 1,
            cancelled: 0,
            rejected: 0,
            overloaded: 3
        )
    )

    static func line(_ text: String, containing needle: String) -> String {
        text.split(separator: "\n").first { $0.contains(needle) }.map(String.init) ?? ""
    }

    @Test func everyScopeShowsRateBucketsInFlightAdmittedAndRejections() {
        let text = LimitsView(Self.sample).render()
        let global = Self.line(text, containing: "  global ")
        for part in ["12.3", "requests 8/11", "3/16", "120", "requests 4"] {
            #expect(global.contains(part), "\(part) missing in \(global)\n\(text)")
        }
        let alice = Self.line(text, containing: "tenant:alice  ")
        for part in ["0.5", "requests 0/2, tokens 9000/10000", "0/-", "7"] {
            #expect(alice.contains(part), "\(part) missing in \(alice)\n\(text)")
        }
        #expect(alice.hasSuffix(" -"), "no rejections reads as -: \(alice)")
        #expect(Self.line(text, containing: "tenant:alice/provider:openai").contains("concurrency 2"), "\(text)")
        #expect(Self.line(text, containing: "provider:openai ").contains("provider_paused 1"), "\(text)")
    }

    @Test func scopesStayInTheDaemonsOrderUnderOneHeader() {
        let lines = LimitsView(Self.sample).render().split(separator: "\n").map(String.init)
        guard let header = lines.firstIndex(where: { $0.contains("SCOPE") && $0.contains("IN FLIGHT") }) else {
            Issue.record("no scope table header in \(lines)")
            return
        }
        let names = lines[(header + 1)...].prefix(4).map {
            $0.trimmingCharacters(in: .whitespaces).split(separator: " ").first.map(String.init)
        }
        #expect(names == ["global", "provider:openai", "tenant:alice", "tenant:alice/provider:openai"])
        // The columns line up: every row is padded to the header's column starts.
        let rateColumn = lines[header].range(of: "RATE/S").map {
            lines[header].distance(from: lines[header].startIndex, to: $0.lowerBound)
        }
        let globalRow = lines[header + 1]
        let rateStart = globalRow.range(of: "12.3").map {
            globalRow.distance(from: globalRow.startIndex, to: $0.lowerBound)
        }
        #expect(rateColumn != nil && rateColumn == rateStart, "\(lines[header])\n\(globalRow)")
    }

    @Test func providersShowPacingReportedWindowsAndAdaptiveLimit() {
        let text = LimitsView(Self.sample).render()
        let openai = Self.line(text, containing: "  openai ")
        for part in ["PAUSED, 42.0s left", "requests 0/100 (resets in 42.0s)", "12"] {
            #expect(openai.contains(part), "\(part) missing in \(openai)\n\(text)")
        }
        let anthropic = Self.line(text, containing: "  anthropic ")
        for part in ["paced, 1 per 250ms", "tokens 1500/40000 (resets in 4.2s)"] {
            #expect(anthropic.contains(part), "\(part) missing in \(anthropic)\n\(text)")
        }
        #expect(anthropic.hasSuffix(" -"), "no adaptive limit reads as -: \(anthropic)")
    }

    @Test func theQueueShowsSettingsDepthOldestWaitAndCounters() {
        let text = LimitsView(Self.sample).render()
        #expect(
            text.hasPrefix("queue: strategy queue (max 100, wait up to 30.0s): 2 waiting, oldest for 1.5s\n"),
            "\(text)"
        )
        #expect(
            text.contains("queued 10, admitted 7, timed out 1, cancelled 0; rejected at once 0, overloaded 3"),
            "\(text)"
        )
        var reject = Self.sample
        reject.queue = AdmissionQueueStatus(
            strategy: "reject",
            maxSize: 100,
            maxWaitMs: 30_000,
            depth: 0,
            oldestWaitMs: nil,
            rejected: 5
        )
        let rejectText = LimitsView(reject).render()
        #expect(rejectText.hasPrefix("queue: strategy reject\n"), "\(rejectText)")
        #expect(rejectText.contains("rejected at once 5"), "\(rejectText)")
    }

    @Test func anIdleDaemonSaysSoInsteadOfAnEmptyTable() {
        let idle = LimitsStatus(
            scopes: [],
            providers: [],
            queue: AdmissionQueueStatus(
                strategy: "reject",
                maxSize: 100,
                maxWaitMs: 30_000,
                depth: 0,
                oldestWaitMs: nil
            )
        )
        let text = LimitsView(idle).render()
        #expect(text.contains("scopes: none yet"), "\(text)")
        #expect(!text.contains("SCOPE"), "\(text)")
        #expect(!text.contains("providers' own limits"), "\(text)")
        #expect(LimitsView(idle).summary() == "0 admitted, 0 rejected, 0 in flight; no queue (strategy reject)")
    }

    @Test func statusShowsOneSummaryLine() {
        var status = StatusResult(
            version: "0.1.0",
            protocolVersion: "1",
            pid: 1,
            uptimeSeconds: 5,
            socketPath: "/s",
            configPath: nil,
            providers: [],
            defaultProvider: "auto",
            activeStreams: 0,
            activeConnections: 0,
            totals: Totals(),
            lastReload: nil
        )
        #expect(!StatusView(status).render().contains("limits:"), "an older daemon has no limits line")
        status.limits = Self.sample
        let text = StatusView(status).render()
        let line = Self.line(text, containing: "limits:")
        #expect(
            line == "limits:    120 admitted, 7 rejected (concurrency 2, provider_paused 1, requests 4), 3 in flight; "
                + "queue: 2 waiting, oldest 1.5s; paused: openai; paced: anthropic; details: nlctl limits",
            "\(text)"
        )
    }

    @Test func theWireFormatRoundTripsAndOmitsAbsentFields() throws {
        let data = try JSONEncoder().encode(Self.sample)
        #expect(try JSONDecoder().decode(LimitsStatus.self, from: data) == Self.sample)
        let idle = AdmissionQueueStatus(strategy: "reject", maxSize: 1, maxWaitMs: 1, depth: 0, oldestWaitMs: nil)
        let text = String(decoding: try JSONEncoder().encode(idle), as: UTF8.self)
        #expect(!text.contains("oldestWaitMs"), "\(text)")
        // A status from a daemon that predates limits still decodes.
        let old =
            #"{"version":"0.1.0","protocolVersion":"1","pid":1,"uptimeSeconds":1,"socketPath":"/s","providers":[],"#
            + #""activeStreams":0,"activeConnections":0,"totals":{"requests":0,"succeeded":0,"failed":0,"cancelled":0,"#
            + #""chunks":0,"inputTokens":0,"outputTokens":0}}"#
        #expect(try JSONDecoder().decode(StatusResult.self, from: Data(old.utf8)).limits == nil)
    }
}
