import Foundation
import LoopbackUpstream
import NeuroLinkClient
import NeuroLinkProtocol
import Testing

/// The provider side of the fault matrix (docs/robustness.md, "Fault matrix"): every fault an
/// upstream can commit, in every streaming wire format. Each cell runs a real daemon against a
/// loopback upstream and checks three things: the faulty request ends with its documented error
/// (or, for hostile numbers, succeeds with clamped numbers); a normal stream running meanwhile on
/// another connection finishes byte for byte; and the daemon still answers `health`.
@Suite struct ProviderFaultMatrixTests {
    @Test(arguments: ProviderColumn.allCases, ProviderFault.allCases)
    func cell(_ column: ProviderColumn, _ fault: ProviderFault) async throws {
        let context = "\(column.rawValue) × \(fault.rawValue)"
        try await LoopbackUpstream.with { upstream in
            upstream.register(model: FaultMatrix.referenceModel, FaultMatrix.referenceScenario(column))
            upstream.register(model: FaultMatrix.faultModel, fault.scenario(column))
            let config = FaultMatrix.config(column, upstream: upstream)
            try await DaemonProcess.with(config: config, environment: column.environment) { daemon in
                let outcome = try await withConcurrentReference(
                    socketPath: daemon.socketPath,
                    expected: FaultMatrix.referenceText
                ) {
                    try await NeuroLinkClient.withConnection(socketPath: daemon.socketPath) { client in
                        let request = StreamRequest(
                            prompt: "fault",
                            model: FaultMatrix.faultModel,
                            timeoutMs: fault.requestTimeoutMs
                        )
                        return try await streamOnce(client, request)
                    }
                }
                try await Self.expect(outcome, fault.expected, context)
                if fault == .absurdRateLimitHeaders { try await Self.expectBoundedLimits(daemon, context) }
                try await expectDaemonUp(daemon, context)
            }
        }
    }

    static func expect(_ outcome: StreamOutcome, _ expected: FaultOutcome, _ context: String) async throws {
        #expect(outcome.text == expected.text, "\(context): text before the end")
        guard let want = expected.error else {
            #expect(outcome.error == nil, "\(context): \(String(describing: outcome.error))")
            #expect(outcome.result?.text == expected.text, "\(context)")
            if let usage = expected.usage {
                #expect(outcome.result?.usage?.inputTokens == usage.inputTokens, "\(context)")
                #expect(outcome.result?.usage?.outputTokens == usage.outputTokens, "\(context)")
            }
            return
        }
        let error = try #require(outcome.error, "\(context): the request should have failed")
        #expect(error.type == want.type, "\(context): \(error)")
        #expect(error.code == want.type.code, "\(context)")
        #expect(error.retryable == want.retryable, "\(context): \(error)")
        #expect(error.data.upstreamStatus == want.status, "\(context): \(error)")
        #expect(error.data.retryAfterMs == want.retryAfterMs, "\(context): \(error)")
        #expect(error.data.timeout == want.timeout, "\(context): \(error)")
        #expect(error.data.provider == "p", "\(context)")
        if let failureClass = want.failureClass {
            #expect(error.data.failureClass == failureClass, "\(context): \(error)")
        }
        if !expected.text.isEmpty {
            // Text was delivered before the failure: the error carries the usage so far.
            #expect((error.data.usage?.outputTokens ?? 0) >= 1, "\(context): \(error)")
        }
    }

    /// `status` reports the absurd headers' effect on the provider within a day.
    static func expectBoundedLimits(_ daemon: DaemonProcess, _ context: String) async throws {
        let maxHintMs = 86_400_000
        let limits = try await NeuroLinkClient.withConnection(socketPath: daemon.socketPath) {
            try await $0.status().limits
        }
        let provider = limits?.providers.first { $0.provider == "p" }
        #expect((provider?.pausedForMs ?? 0) <= maxHintMs, "\(context)")
        for reported in provider?.reported ?? [] {
            #expect((reported.resetInMs ?? 0) <= maxHintMs, "\(context): \(reported)")
        }
    }
}
