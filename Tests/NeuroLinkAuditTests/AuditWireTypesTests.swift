import Foundation
import NeuroLinkAudit
import NeuroLinkProtocol
import Testing

/// The wire types' JSON, as the protocol carries them.
@Suite struct AuditWireTypesTests {
    @Test func anEventTypeIsAPlainString() throws {
        let json = try JSONEncoder().encode([AuditEventType.policyDenied, AuditEventType(rawValue: "future_kind")])
        #expect(String(decoding: json, as: UTF8.self) == #"["policy_denied","future_kind"]"#)
        let decoded = try JSONDecoder().decode([AuditEventType].self, from: json)
        #expect(decoded == [.policyDenied, AuditEventType(rawValue: "future_kind")])
    }

    @Test func eventsAndReportsRoundTrip() throws {
        let event = AuditEvent(
            time: 1.5,
            type: .piiUnredacted,
            tenant: "acme",
            uid: 7,
            requestId: "r",
            rule: "x",
            counts: ["email": 1],
            detail: "d"
        )
        #expect(try JSONDecoder().decode(AuditEvent.self, from: JSONEncoder().encode(event)) == event)
        let report = AuditReport(
            since: 1,
            until: 2,
            total: 3,
            counts: [.init(tenant: nil, type: .auditDropped, count: 3)],
            topRules: [.init(rule: "r", count: 1)],
            recommendations: ["a"]
        )
        #expect(try JSONDecoder().decode(AuditReport.self, from: JSONEncoder().encode(report)) == report)
        let request = try JSONDecoder().decode(AuditReportRequest.self, from: Data(#"{"sinceSeconds":60}"#.utf8))
        #expect(request.since(now: 1000) == 940)
        #expect(AuditReportRequest().since(now: 100_000) == 100_000 - 86_400)
        #expect(AuditReportRequest(sinceSeconds: -5).since(now: 100_000) == 100_000 - 86_400)
    }
}
