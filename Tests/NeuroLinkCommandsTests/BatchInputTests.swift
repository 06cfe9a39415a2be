import ArgumentParser
import NeuroLinkProtocol
import Testing

@testable import NeuroLinkCommands

/// How `nlctl batch` reads its input lines and its options.
@Suite struct BatchInputTests {
    static let template = StreamRequest(prompt: "", provider: "p", model: "m", maxTokens: 50)

    static func item(_ text: String) -> BatchItem {
        BatchItem(text: text, index: 3, line: 7, template: template)
    }

    @Test func aPlainLineIsAPromptWithTheCommandLinesOptions() throws {
        let item = Self.item("  Explain TCP  ")
        let request = try item.request.get()
        #expect(request.input?.text == "Explain TCP")
        #expect(request.provider == "p" && request.model == "m" && request.maxTokens == 50)
        #expect(item.echo == "Explain TCP" && item.index == 3)
    }

    @Test func aJSONLineIsTakenAsItIsWithoutTheOptions() throws {
        let item = Self.item(#"{"input":{"text":"hi"},"model":"other"}"#)
        let request = try item.request.get()
        #expect(request.input?.text == "hi" && request.model == "other" && request.provider == nil)
        #expect(item.echo == "hi")
        let messages = Self.item(#"{"messages":[{"role":"user","content":"a"},{"role":"assistant","content":"b"}]}"#)
        #expect(messages.echo == "a")
    }

    @Test func aMalformedLineIsAFailingItem() {
        let broken = Self.item(#"{"input": {"text": "unterminated"#)
        #expect(throws: BatchFailure(.parseError, "line 7 starts with '{' but is not valid JSON")) {
            try broken.request.get()
        }
        #expect(broken.echo.hasPrefix("{\"input\""))
        let unknown = Self.item(#"{"input":{"text":"x"},"colour":"red"}"#)
        guard case .failure(let failure) = unknown.request else {
            Issue.record("an unknown member must fail")
            return
        }
        #expect(failure.type == "invalid_params" && failure.code == -32602)
        #expect(failure.message.hasPrefix("line 7: ") && failure.message.contains("colour"), "\(failure.message)")
    }

    @Test func theEchoIsCutAt200Characters() {
        #expect(Self.item(String(repeating: "é", count: 500)).echo.count == 200)
    }

    @Test func concurrencyIsBounded() throws {
        #expect(throws: (any Error).self) { try BatchCommand.parse(["in.txt", "--concurrency", "0"]) }
        #expect(throws: (any Error).self) { try BatchCommand.parse(["in.txt", "--concurrency", "257"]) }
        let command = try BatchCommand.parse(["in.txt", "-m", "x", "--temperature", "0"])
        #expect(command.concurrency == 4 && command.defaults.model == "x")
        #expect(throws: (any Error).self) { try BatchCommand.parse(["in.txt", "--temperature", "3"]) }
    }

    @Test func errorsBecomeTheirWireFields() {
        let failure = BatchFailure(
            RPCError(.rateLimited, "slow down", data: ErrorData(type: .rateLimited, retryable: true))
        )
        #expect(failure.code == -32005 && failure.type == "rate_limited" && failure.retryable == true)
        #expect(failure.message == "slow down")
        #expect(BatchFailure(CancellationError()).type == "cancelled")
    }
}

@Suite struct ReorderBufferTests {
    @Test func resultsComeOutInOrderWhateverOrderTheyArriveIn() {
        var buffer = ReorderBuffer<String>()
        #expect(buffer.insert("c", at: 2).isEmpty)
        #expect(buffer.insert("b", at: 1).isEmpty)
        #expect(buffer.count == 2)
        #expect(buffer.insert("a", at: 0) == ["a", "b", "c"])
        #expect(buffer.insert("d", at: 3) == ["d"])
        #expect(buffer.next == 4 && buffer.count == 0)
    }
}

@Suite struct BatchProgressTextTests {
    @Test func theBarShowsCountRateETAAndFailures() {
        let tally = BatchTally(done: 50, failed: 2, tokens: 10, cost: nil)
        #expect(
            BatchProgressText.bar(tally, total: 100, elapsed: .seconds(10))
                == "[##########----------] 50/100 · 5.0/s · ETA 10s · 2 failed"
        )
        #expect(BatchProgressText.bar(tally, total: nil, elapsed: .seconds(10)) == "50 done · 5.0/s · 2 failed")
        #expect(
            BatchProgressText.line(tally, total: 100, elapsed: .seconds(10))
                == "nlctl batch: 50/100 (50%) · 5.0/s · 2 failed"
        )
    }

    @Test func theSummaryHasTokensAndTheCostWhenKnown() {
        let tally = BatchTally(done: 3, failed: 1, tokens: 120, cost: 0.5)
        #expect(
            BatchProgressText.summary(tally, elapsed: .milliseconds(2500), interrupted: false)
                == "batch: 3 done, 1 failed, 2.5 s, 120 tokens, $0.500000"
        )
        #expect(
            BatchProgressText.summary(BatchTally(), elapsed: .zero, interrupted: true)
                == "batch interrupted: 0 done, 0 failed, 0.0 s, 0 tokens"
        )
    }

    @Test(arguments: [(4.2, "5s"), (59, "59s"), (125, "2m05s"), (3725, "1h02m")] as [(Double, String)])
    func clock(_ seconds: Double, _ text: String) {
        #expect(BatchProgressText.clock(seconds) == text)
    }
}
