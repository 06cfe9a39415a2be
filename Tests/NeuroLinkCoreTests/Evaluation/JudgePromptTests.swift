import NeuroLinkProtocol
import Testing

@testable import NeuroLinkCore

/// What the judge is asked and how its answer is read.
@Suite struct JudgePromptTests {
    private func verdict(_ scores: [Double], reason: JSONValue = .string("Fine.")) -> JSONValue {
        var object = Dictionary(uniqueKeysWithValues: zip(JudgePrompt.scoreNames, scores.map(JSONValue.number)))
        object["reason"] = reason
        return .object(object)
    }

    @Test func aValidVerdictBecomesScores() throws {
        let outcome = JudgePrompt.evaluation(
            from: verdict([9, 8, 7, 8]),
            objectError: nil,
            judge: "a/judge",
            durationMs: 12.5
        )
        let evaluation = try #require(outcome.evaluation)
        let scores: [Int] = [evaluation.relevance, evaluation.accuracy, evaluation.completeness, evaluation.overall]
        #expect(scores == [9, 8, 7, 8])
        #expect(evaluation.reason == "Fine." && evaluation.judge == "a/judge" && evaluation.durationMs == 12.5)
    }

    @Test(arguments: [
        [0.0, 8, 7, 8], [9, 11, 7, 8], [9, 8, 7.5, 8],
    ])
    func scoresOutsideOneToTenOrFractionsAreRefused(scores: [Double]) {
        let outcome = JudgePrompt.evaluation(from: verdict(scores), objectError: nil, judge: "j", durationMs: 1)
        guard case .failed(let failure) = outcome else {
            Issue.record("accepted \(scores)")
            return
        }
        #expect(failure.kind == "invalid_verdict")
    }

    @Test func aMissingReasonOrAnObjectErrorIsRefused() {
        #expect(
            JudgePrompt.evaluation(
                from: verdict([5, 5, 5, 5], reason: .number(1)),
                objectError: nil,
                judge: "j",
                durationMs: 1
            )
            .error == "the judge's answer has no reason"
        )
        let parsed = JudgePrompt.evaluation(from: nil, objectError: "not JSON", judge: "j", durationMs: 1)
        #expect(parsed.error?.hasSuffix("not JSON") == true)
    }

    @Test func theSchemaMatchesWhatTheParserAccepts() {
        #expect(SchemaValidator.validate(verdict([1, 10, 5, 7]), against: JudgePrompt.schema).isEmpty)
        #expect(!SchemaValidator.validate(verdict([0, 10, 5, 7]), against: JudgePrompt.schema).isEmpty)
    }

    @Test func theMaterialLeavesOutSystemMessagesAndCutsLongParts() {
        let conversation = [
            ChatMessage(role: "system", content: "PRIVATE"),
            ChatMessage(role: "user", content: String(repeating: "old ", count: 500) + "the question"),
        ]
        let answer = "the answer starts here" + String(repeating: " more", count: 500)
        let material = JudgePrompt.material(conversation: conversation, answer: answer, limit: 1_000)
        #expect(!material.contains("PRIVATE"))
        #expect(material.contains("the question") && material.contains("earlier messages cut"))
        #expect(material.contains("the answer starts here") && material.contains("rest of the answer cut"))
        #expect(material.count < 2_200)
    }

    @Test func theDomainSetsThePointOfView() {
        #expect(JudgePrompt.instructions(domain: "Senior Developer").hasPrefix("You are a Senior Developer"))
        #expect(!JudgePrompt.instructions(domain: nil).contains("You are a"))
    }
}
