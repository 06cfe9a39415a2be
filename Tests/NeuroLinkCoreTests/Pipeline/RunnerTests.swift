import LoopbackUpstream
import NeuroLinkCore
import NeuroLinkLimits
import NeuroLinkProtocol
import NeuroLinkRouting
import Testing

/// The runner end to end, in-process: real curl transfers against loopback upstreams.
@Suite struct RunnerTests {
    @Test func aStreamDeliversEveryPieceThenExactlyOneFinishAndOneResponse() async throws {
        try await withUpstreams(1) { upstreams in
            upstreams[0].register(model: "m", .stream(OpenAIStream(pieces: ["Hel", "lo", "!"])))
            try await PipelineHarness.with(providersConfig(upstreams)) { harness in
                let outcome = try await harness.run(StreamRequest(prompt: "hi", provider: "p0"))
                #expect(outcome.text == "Hello!")
                #expect(outcome.finishes == 1)
                guard case .finish(.stop, _) = outcome.chunks.last else {
                    Issue.record("the last chunk must be the finish: \(outcome.chunks)")
                    return
                }
                #expect(outcome.responses.count == 1)
                let answer = try #require(outcome.answer)
                #expect(answer.text == "Hello!")
                #expect(answer.chunks == outcome.chunks.count)
                #expect(answer.provider == "p0")
            }
        }
    }

    @Test func aRetryIsAnnouncedAndTheAnswerStillHasOneFinish() async throws {
        try await withUpstreams(1) { upstreams in
            upstreams[0].register(
                model: "m",
                sequence: [.openAIError(status: 503, message: "busy"), .stream(OpenAIStream(pieces: ["ok"]))]
            )
            let yaml = providersConfig(upstreams, extra: "routing:\n  backoff_base_ms: 1\n  backoff_max_ms: 5\n")
            try await PipelineHarness.with(yaml) { harness in
                let outcome = try await harness.run(StreamRequest(prompt: "hi", provider: "p0"))
                #expect(outcome.text == "ok")
                #expect(outcome.notices.map(\.kind) == [Notice.retry])
                #expect(outcome.finishes == 1)
                #expect(outcome.answer?.route?.attempts?.map(\.outcome) == ["overloaded", "ok"])
                #expect(upstreams[0].requests().count == 2)
            }
        }
    }

    @Test func aPoolFailsOverToItsNextMemberBeforeTheFirstChunk() async throws {
        try await withUpstreams(2) { upstreams in
            upstreams[0].register(model: "m", .openAIError(status: 500, message: "down"))
            upstreams[1].register(model: "m", .stream(OpenAIStream(pieces: ["from", " second"])))
            let pool = """
                pools:
                  - name: both
                    strategy: priority
                    failover: [endpoint_switch]
                    members:
                      - {provider: p0, model: m, priority: 0}
                      - {provider: p1, model: m, priority: 1}

                """
            try await PipelineHarness.with(providersConfig(upstreams, extra: pool)) { harness in
                let outcome = try await harness.run(StreamRequest(prompt: "hi", provider: "both"))
                #expect(outcome.text == "from second")
                #expect(outcome.notices.map(\.kind) == [Notice.failover])
                #expect(outcome.answer?.route?.member == "p1/m")
                #expect(outcome.finishes == 1)
            }
        }
    }

    @Test func admissionRefusesOverTheRateLimitAndRecordsARejection() async throws {
        try await withUpstreams(1) { upstreams in
            let limits = """
                rate_limits:
                  global: {requests_per_minute: 1, burst: 0}

                """
            try await PipelineHarness.with(providersConfig(upstreams, extra: limits)) { harness in
                let first = try await harness.run(StreamRequest(prompt: "a", provider: "p0"), id: .number(1))
                #expect(first.error == nil)
                let second = try await harness.run(StreamRequest(prompt: "b", provider: "p0"), id: .number(2))
                #expect(second.error?.type == .rateLimited)
                #expect(second.responses.count == 1)
                #expect(upstreams[0].requests().count == 1, "a refused request never reaches the provider")
                #expect(harness.records.all.map(\.outcome) == [.success, .rejected])
            }
        }
    }

    @Test func cancellingMidStreamEndsTheUpstreamTransferAtOnce() async throws {
        try await withUpstreams(1) { upstreams in
            let pieces = (0..<200).map { "p\($0) " }
            upstreams[0].register(model: "m", .stream(OpenAIStream(pieces: pieces, delay: .milliseconds(20))))
            try await PipelineHarness.with(providersConfig(upstreams)) { harness in
                let outcome = try await harness.run(StreamRequest(prompt: "hi", provider: "p0")) { context, _ in
                    context.cancel()
                }
                #expect(outcome.error?.type == .cancelled)
                #expect(outcome.finishes == 0)
                let closed = await upstreams[0].waitForConnectionClose(model: "m", timeout: .seconds(2))
                #expect(closed?.completedAt == nil, "the upstream must be cut, not finished")
                #expect(harness.records.all.first?.outcome == .cancelled)
                // The client's cancel says nothing about the member (a regression of the stages
                // counted each one as the member's failure).
                let pipeline = harness.runner.current
                let entry = try #require(pipeline.registry.entry(named: "p0"))
                let member = pipeline.router.singlePool(entry: entry, model: "m").runtime.snapshot(now: .now).first
                #expect(member?.failures == 0)
                #expect(member?.lastError == nil)
                #expect(member?.inFlight == 0)
            }
        }
    }

    @Test func everyOutcomeProducesExactlyOneRecord() async throws {
        try await withUpstreams(1) { upstreams in
            upstreams[0].register(model: "m", .stream(OpenAIStream(pieces: ["a", "b"])))
            upstreams[0].register(model: "bad", .openAIError(status: 400, message: "no", type: "invalid_request_error"))
            try await PipelineHarness.with(providersConfig(upstreams)) { harness in
                let caller = Caller(uid: 1000, gid: 1000, pid: 42, username: "alice")
                _ = try await harness.run(
                    StreamRequest(prompt: "x", provider: "p0", context: ["userId": .string("u-1")]),
                    id: .number(1),
                    caller: caller
                )
                _ = try await harness.run(StreamRequest(prompt: "x", provider: "p0", model: "bad"), id: .number(2))
                _ = try await harness.run(StreamRequest(prompt: "x", provider: "nope"), id: .number(3))
                let records = harness.records.all
                #expect(records.map(\.requestId) == [.number(1), .number(2), .number(3)])
                #expect(records.map(\.outcome) == [.success, .error, .error])
                let ok = records[0]
                #expect(ok.provider == "p0" && ok.model == "m" && ok.member == "p0/m")
                #expect(ok.caller.uid == 1000 && ok.caller.pid == 42 && ok.caller.tenant.name == "alice")
                #expect(ok.context?["userId"] == .string("u-1"))
                #expect(ok.chunks == 3 && ok.finishReason == .stop && ok.timeToFirstChunkMs != nil)
                #expect(records[1].errorType == .upstreamInvalidRequest && records[1].failureClass == .invalidRequest)
                #expect(records[2].errorType == .providerNotFound)
                #expect(harness.runner.requests.count == 0)
            }
        }
    }

    @Test func generateGetsTheWholeAnswerAndNoChunks() async throws {
        try await withUpstreams(1) { upstreams in
            upstreams[0].register(model: "m", .stream(OpenAIStream(pieces: ["one ", "two"])))
            try await PipelineHarness.with(providersConfig(upstreams)) { harness in
                let outcome = try await harness.run(StreamRequest(prompt: "x", provider: "p0"), method: Method.generate)
                #expect(outcome.chunks.isEmpty)
                #expect(outcome.answer?.text == "one two")
                #expect(outcome.answer?.chunks == 0)
            }
        }
    }

    @Test func generatePastTheAnswerLimitFailsWhileAStreamKeepsOnlyItsBeginning() async throws {
        try await withUpstreams(1) { upstreams in
            let piece = String(repeating: "y", count: 1000)
            upstreams[0].register(model: "m", .stream(OpenAIStream(pieces: Array(repeating: piece, count: 5))))
            let yaml = providersConfig(upstreams, extra: "limits:\n  max_answer_bytes: 2500\n")
            try await PipelineHarness.with(yaml) { harness in
                let generated = try await harness.run(
                    StreamRequest(prompt: "x", provider: "p0"),
                    method: Method.generate
                )
                #expect(generated.error?.type == .upstreamBadResponse)
                #expect(generated.error?.message.contains("limits.max_answer_bytes") == true)
                let streamed = try await harness.run(StreamRequest(prompt: "x", provider: "p0"), id: .number(2))
                #expect(streamed.text.utf8.count == 5000, "every chunk still reaches the client")
                #expect(streamed.answer?.text.utf8.count == 2000)
                #expect(streamed.answer?.textTruncated == true)
            }
        }
    }
}
