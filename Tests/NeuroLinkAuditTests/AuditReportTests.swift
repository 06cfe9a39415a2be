import NeuroLinkAudit
import NeuroLinkProtocol
import Testing

/// `audit.report`: the window's counts, top rules, and each recommendation rule.
@Suite struct AuditReportTests {
    private func event(
        _ type: AuditEventType,
        _ tenant: String?,
        at time: Double = 1500,
        rule: String? = nil,
        counts: [String: Int]? = nil
    ) -> AuditEvent {
        AuditEvent(time: time, type: type, tenant: tenant, rule: rule, counts: counts)
    }

    @Test func countsAndTopRulesCoverTheWindowOnly() async throws {
        try await withAuditLog { log, _, _ in
            log.append(event(.policyDenied, "acme", at: 999.9, rule: "outside"))
            log.append(event(.policyDenied, "acme", at: 2000, rule: "outside"))
            for _ in 1...3 { log.append(event(.policyDenied, "acme", at: 1000, rule: "r-a")) }
            for _ in 1...2 { log.append(event(.contentFiltered, "beta", rule: "r-b")) }
            log.append(event(.connectionRefused, nil))
            // Twelve more rules, fired once each: only the ten first by name make the top ten.
            for index in 10...21 { log.append(event(.contentFiltered, "acme", rule: "r-\(index)")) }
            await log.flush()

            let report = try await log.report(since: 1000, now: 2000)
            #expect(report.since == 1000)
            #expect(report.until == 2000)
            #expect(report.total == 18)
            #expect(
                report.counts == [
                    .init(tenant: "acme", type: .contentFiltered, count: 12),
                    .init(tenant: "acme", type: .policyDenied, count: 3),
                    .init(tenant: "beta", type: .contentFiltered, count: 2),
                    .init(tenant: nil, type: .connectionRefused, count: 1),
                ]
            )
            #expect(report.topRules.count == 10)
            #expect(
                report.topRules.prefix(3) == [
                    .init(rule: "r-a", count: 3), .init(rule: "r-b", count: 2), .init(rule: "r-10", count: 1),
                ]
            )
            #expect(!report.topRules.contains { $0.rule == "outside" })
            #expect(report.recommendations.isEmpty)
        }
    }

    @Test func eachRecommendationFiresAtItsThreshold() async throws {
        try await withAuditLog { log, _, _ in
            for type in [
                AuditEventType.injectionFlagged, .injectionFlagged, .injectionFlagged, .injectionBlocked,
                .injectionBlocked,
            ] {
                log.append(event(type, "acme"))
            }
            log.append(event(.piiUnredacted, "acme", counts: ["phone": 1, "email": 2]))
            log.append(event(.piiUnredacted, "acme", counts: ["email": 1]))
            for _ in 1...10 { log.append(event(.policyDenied, "acme", rule: "no-gpt-4")) }
            log.append(event(.auditDropped, nil, counts: ["events": 7]))
            await log.flush()

            let report = try await log.report(since: 1000, now: 2000)
            #expect(
                report.recommendations == [
                    "tenant acme: 5 prompt-injection attempts were flagged or blocked; find the client sending them "
                        + "(the events' request ids) and consider blocking rather than flagging them",
                    "tenant acme: personal data (email, phone) was seen unredacted in 2 events; "
                        + "turn on input redaction for this tenant",
                    "tenant acme: 10 requests were denied by rule no-gpt-4; check whether the rule is right, "
                        + "or which client keeps asking for what it may not do",
                    "7 audit events were lost (1 audit_dropped records): the queue was full or a write failed; "
                        + "check the disk and the daemon's errors, or raise the queue size",
                ]
            )
        }
    }

    @Test func noRecommendationFiresBelowItsThreshold() async throws {
        try await withAuditLog { log, _, _ in
            for _ in 1...4 { log.append(event(.injectionFlagged, "acme")) }
            // Redacted PII is what should happen; it calls for nothing.
            log.append(event(.piiRedacted, "acme", counts: ["email": 3]))
            // Ten denials, but by two rules; and ten by one rule for two tenants.
            for _ in 1...9 { log.append(event(.policyDenied, "acme", rule: "r1")) }
            log.append(event(.policyDenied, "acme", rule: "r2"))
            for _ in 1...5 { log.append(event(.policyDenied, "beta", rule: "r3")) }
            for _ in 1...5 { log.append(event(.policyDenied, "gamma", rule: "r3")) }
            // Above every threshold, but outside the window.
            for _ in 1...12 { log.append(event(.injectionBlocked, "acme", at: 900)) }
            log.append(event(.auditDropped, nil, at: 900, counts: ["events": 1]))
            await log.flush()

            let report = try await log.report(since: 1000, now: 2000)
            #expect(report.total == 25)
            #expect(report.recommendations.isEmpty)
        }
    }

    @Test func unredactedPIIWithoutCountsAndWithoutATenantIsNamedToo() async throws {
        try await withAuditLog { log, file, _ in
            log.append(event(.piiUnredacted, nil))
            await log.flush()
            // A hand-edited `counts` must not break the report.
            try file.tamper("UPDATE audit_events SET counts = 'not json', tenant = x'6d616c' WHERE id = 1")
            log.append(event(.piiUnredacted, "beta", counts: ["ssn": 1]))
            await log.flush()
            let report = try await log.report(since: 1000, now: 2000)
            #expect(report.recommendations.count == 2)
            #expect(
                report.recommendations.contains(
                    "tenant beta: personal data (ssn) was seen unredacted in 1 events; "
                        + "turn on input redaction for this tenant"
                )
            )
            #expect(
                report.recommendations.contains {
                    $0.hasPrefix("tenant mal: personal data was seen unredacted in 1 events")
                }
            )
        }
    }

    @Test func aQuietWindowSaysSo() async throws {
        try await withAuditLog { log, _, _ in
            log.append(event(.injectionBlocked, "acme", at: 500))
            await log.flush()
            let report = try await log.report(since: 1000, now: 2000)
            #expect(report.total == 0)
            #expect(report.counts.isEmpty)
            #expect(report.topRules.isEmpty)
            #expect(report.recommendations == ["the audit log is quiet: no security events in this window"])
        }
    }
}
