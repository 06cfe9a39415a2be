import Foundation
import NeuroLinkProtocol
import Testing

@testable import NeuroLinkAnalytics

/// The hand-written JSON of a row's `attempts` reads back as what was recorded.
@Suite struct AnalyticsRowTests {
    @Test func attemptsRoundTripWhateverTheirCharacters() throws {
        let attempts = [
            RouteInfo.Attempt(member: "openai/gpt-4o-mini", outcome: "ok"),
            RouteInfo.Attempt(member: "we\"ird\\name/m\n\t\u{1}", outcome: "rate_limited", waitMs: 250),
            RouteInfo.Attempt(member: "ünï/模型/🙂", outcome: "server", waitMs: 0),
        ]
        let text = AnalyticsRow.json(attempts)
        let decoded = try JSONDecoder().decode([RouteInfo.Attempt].self, from: Data(text.utf8))
        #expect(decoded == attempts, "\(text)")
        #expect(AnalyticsRow.json([]) == "[]")
    }
}
