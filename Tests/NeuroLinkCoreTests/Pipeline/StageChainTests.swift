import Foundation
import NeuroLinkProtocol
import Synchronization
import Testing

@testable import NeuroLinkCore

/// The chain's order of work: skipped stages, prelude stages and the way back.
@Suite struct StageChainTests {
    /// What the stages did, in order.
    final class Journal: Sendable {
        let entries = Mutex<[String]>([])
        func add(_ entry: String) { entries.withLock { $0.append(entry) } }
        var all: [String] { entries.withLock { $0 } }
    }

    /// A stage around the rest: notes going in and out.
    struct Around: RequestStage {
        let name: String
        let journal: Journal
        var takesPart = true

        func run(_ request: inout PipelineRequest, _ output: inout ResponseOutput, next: StageNext) async -> StageResult
        {
            journal.add("\(name) in")
            let result = await next(&request, &output)
            journal.add("\(name) out")
            return result
        }

        func takesPart(in request: PipelineRequest) -> Bool { takesPart }

        func passBack(_ result: StageResult) -> StageResult {
            journal.add("\(name) passed back")
            return result.map { completion in
                var completion = completion
                completion.model += "+" + name
                return completion
            }
        }
    }

    /// A stage whose work all comes before the rest; refuses when told to.
    struct Before: PreludeStage {
        let name: String
        let journal: Journal
        var refuses = false

        func prelude(_ request: inout PipelineRequest, _ output: inout ResponseOutput) async -> RPCError? {
            journal.add(name)
            return refuses ? RPCError(.forbidden, "\(name) refused") : nil
        }
    }

    /// The innermost stage: answers.
    struct Answer: RequestStage {
        let journal: Journal

        func run(_ request: inout PipelineRequest, _ output: inout ResponseOutput, next: StageNext) async -> StageResult
        {
            journal.add("answer")
            return .success(
                Completion(
                    finishReason: .stop,
                    usage: nil,
                    provider: "p",
                    model: "m",
                    route: RouteInfo(requested: "p", reason: "r")
                )
            )
        }
    }

    /// The chain finds prelude stages through `asPrelude`, not a cast: the defaults must give every
    /// prelude stage, and only those, the prelude form.
    @Test func preludeStagesAreKnownWithoutACast() {
        let journal = Journal()
        #expect(Before(name: "b", journal: journal).asPrelude != nil)
        #expect(Around(name: "a", journal: journal).asPrelude == nil)
        #expect(Answer(journal: journal).asPrelude == nil)
    }

    static func request() throws -> (PipelineRequest, ResponseOutput) {
        let params = try StreamRequest(
            json: JSONDecoder().decode(JSONValue.self, from: Data(#"{"input":{"text":"hi"}}"#.utf8))
        )
        let context = RequestContext(id: .number(1), method: Method.stream, caller: Caller())
        let output = ResponseOutput(sink: RecordingSink(context: context, streaming: true, onChunks: { _, _ in }))
        return (PipelineRequest(context: context, params: params), output)
    }

    static func run(_ stages: [any RequestStage]) async throws -> StageResult {
        var (request, output) = try Self.request()
        return await StageChain(stages: stages).run(&request, &output)
    }

    @Test func skippedStagesAreNotRunButSeeTheResultOnTheWayBackInnermostFirst() async throws {
        let journal = Journal()
        let result = try await Self.run([
            Around(name: "a", journal: journal, takesPart: false),
            Around(name: "b", journal: journal),
            Around(name: "c", journal: journal, takesPart: false),
            Around(name: "d", journal: journal, takesPart: false),
            Answer(journal: journal),
        ])
        #expect(journal.all == ["b in", "answer", "d passed back", "c passed back", "b out", "a passed back"])
        #expect(try result.get().model == "m+d+c+a")
    }

    @Test func preludeStagesRunBeforeTheRestNotAroundIt() async throws {
        let journal = Journal()
        let result = try await Self.run([
            Before(name: "validate", journal: journal),
            Around(name: "outer", journal: journal),
            Before(name: "admit", journal: journal),
            Answer(journal: journal),
        ])
        #expect(journal.all == ["validate", "outer in", "admit", "answer", "outer out"])
        #expect(try result.get().model == "m")
    }

    @Test func aRefusingPreludeEndsTheChainAndSkippedStagesStillSeeTheFailure() async throws {
        let journal = Journal()
        let result = try await Self.run([
            Around(name: "skipped", journal: journal, takesPart: false),
            Before(name: "security", journal: journal, refuses: true),
            Around(name: "later", journal: journal),
            Answer(journal: journal),
        ])
        #expect(journal.all == ["security", "skipped passed back"])
        guard case .failure(let error) = result else {
            Issue.record("expected the refusal")
            return
        }
        #expect(error.type == .forbidden && error.message == "security refused")
    }

    @Test func aChainWithoutAnAnswerFailsInternally() async throws {
        let journal = Journal()
        let result = try await Self.run([Before(name: "only", journal: journal)])
        guard case .failure(let error) = result else {
            Issue.record("expected a failure")
            return
        }
        #expect(error.type == .internal)
    }

    @Test func aPreludeStageRunOnItsOwnCallsNextUnlessItRefuses() async throws {
        let journal = Journal()
        var (request, output) = try Self.request()
        let next: StageNext = { _, _ in
            journal.add("next")
            return .failure(RPCError(.internal, "next ran"))
        }
        let passed = await Before(name: "p", journal: journal).run(&request, &output, next: next)
        let refused = await Before(name: "q", journal: journal, refuses: true).run(&request, &output, next: next)
        #expect(journal.all == ["p", "next", "q"])
        if case .failure(let error) = passed { #expect(error.message == "next ran") }
        if case .failure(let error) = refused { #expect(error.message == "q refused") }
    }
}
