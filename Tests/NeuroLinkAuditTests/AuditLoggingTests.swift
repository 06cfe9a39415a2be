import GRDB
import Logging
import NeuroLinkAudit
import NeuroLinkProtocol
import Testing

/// What reaches the daemon's logger (and so the journal), and the bounds on what is stored.
@Suite struct AuditLoggingTests {
    private func eventLines(_ recorder: LogRecorder) -> [LogRecorder.Entry] {
        recorder.all.filter { $0.message == "security audit event" }
    }

    @Test func theLoggerGetsTheEventsFieldsAndNothingElse() async throws {
        try await withAuditLog { log, _, recorder in
            log.append(
                AuditEvent(
                    time: 1_700_000_000,
                    type: .piiRedacted,
                    tenant: "acme",
                    uid: 1000,
                    requestId: "req-7",
                    rule: "input",
                    counts: ["email": 2, "phone": 1],
                    detail: "input redacted"
                )
            )
            log.append(AuditEvent(time: 1_700_000_001, type: .adminAction, counts: ["entries": 40]))
            log.append(AuditEvent(time: 1_700_000_002, type: .injectionBlocked))
            await log.flush()

            let lines = eventLines(recorder)
            #expect(lines.map(\.level) == [.notice, .notice, .warning])
            #expect(
                lines.map(\.metadata) == [
                    [
                        "type": "pii_redacted", "tenant": "acme", "uid": "1000", "request_id": "req-7", "rule": "input",
                        "detail": "input redacted", "pii_email": "2", "pii_phone": "1",
                    ],
                    ["type": "admin_action", "count_entries": "40"],
                    ["type": "injection_blocked"],
                ]
            )
            // The other lines are the writer's own, and carry no event field.
            let others = recorder.all.filter { $0.message != "security audit event" }
            #expect(others.allSatisfy { $0.message == "audit chain head" })
            #expect(others.allSatisfy { Set($0.metadata.keys) == ["head_id", "head_hash", "rows_written"] })
        }
    }

    @Test func fieldsAreBoundedBeforeTheyAreLoggedOrStored() async throws {
        try await withAuditLog { log, file, recorder in
            var counts: [String: Int] = [:]
            for index in 0..<40 { counts["kind_\(index)"] = index }
            counts["Kind 39"] = 1
            log.append(
                AuditEvent(
                    time: .nan,
                    type: .contentFiltered,
                    tenant: "a\u{0}b",
                    requestId: String(repeating: "r", count: 500),
                    rule: String(repeating: "é", count: 200),
                    counts: counts,
                    detail: String(repeating: "d", count: 1000) + "\n"
                )
            )
            await log.flush()

            let row = try #require(try file.storedRows().first)
            #expect(row["time"] == 0.0)
            #expect(row["tenant"] == "a\u{FFFD}b")
            #expect((row["request_id"] as String).count == AuditLimits.requestIdLength)
            #expect((row["rule"] as String).unicodeScalars.count == AuditLimits.ruleLength)
            #expect(row["detail"] == String(repeating: "d", count: AuditLimits.detailLength))
            // "Kind 39" became kind_39 and was added to it; the 32 largest were kept.
            let stored = (0..<32).map { 39 - $0 }.map { "\"kind_\($0)\":\($0 == 39 ? 40 : $0)" }
            #expect(row["counts"] == "{" + stored.sorted().joined(separator: ",") + "}")
            #expect(eventLines(recorder).first?.metadata["count_kind_39"] == "40")
            #expect(eventLines(recorder).first?.metadata["count_kind_7"] == nil)
            #expect(try await log.verify().ok)
        }
    }
}
