import Foundation
import NeuroLinkCore
import NeuroLinkProtocol
import NeuroLinkProviders
import NeuroLinkSecurity

/// What security costs: the input checks of one request (limits, injection score, the PII scan
/// of user messages) in process on 1 KB and 100 KB prompts; output redaction per streamed chunk;
/// and the time to first chunk through two daemons, output redaction on and off, in alternating
/// rounds of the same run.
enum SecurityCost {
    struct Result: Sendable {
        /// Microseconds per request's input checks, by prompt size in bytes.
        var inputChecks: [(bytes: Int, us: Percentiles)] = []
        /// Nanoseconds of output redaction per chunk, by chunk size in bytes.
        var perChunk: [(bytes: Int, ns: Double)] = []
        var ttftOn: [Double] = []
        var ttftOff: [Double] = []
    }

    /// Prose with an e-mail address, a phone number and a card number every 1 KB.
    static func prompt(bytes: Int) -> String {
        let block =
            "Please summarise the meeting notes below and list the action items for each person. "
            + "Contact jane.roe@example.org or call +1 415 555 0134 about the invoice paid with 4111 1111 1111 1111. "
        var text = ""
        while text.utf8.count < bytes {
            text += block + String(repeating: "The quarterly figures look fine. ", count: 20)
        }
        return String(text.utf8.prefix(bytes)) ?? text
    }

    static func inputChecks(bytes: Int, iterations: Int) -> Percentiles {
        let engine = SecurityEngine(DaemonConfig.Security())
        let rules = SecurityRules()
        let chat = ChatRequest(
            messages: [
                ChatMessage(role: "system", content: "Be brief."),
                ChatMessage(role: "user", content: prompt(bytes: bytes)),
            ],
            model: "m",
            maxTokens: 100,
            temperature: 0
        )
        var samples: [Double] = []
        for _ in 0..<iterations {
            let start = ContinuousClock.now
            var copy = chat
            var outcome = SecurityOutcome()
            _ = rules.limits.violation(copy)
            _ = engine.scoreInjection(copy)
            engine.redactInput(&copy, rules.redaction, &outcome)
            samples.append((ContinuousClock.now - start).seconds * 1e6)
        }
        return Percentiles(samples)
    }

    /// Nanoseconds per chunk of `bytes` through a streaming redactor, over a long answer.
    static func perChunk(bytes: Int, chunks: Int) -> Double {
        let text = prompt(bytes: bytes * 64)
        let utf8 = Array(text.utf8)
        let pieces = stride(from: 0, to: utf8.count, by: bytes).map {
            String(decoding: utf8[$0..<min($0 + bytes, utf8.count)], as: UTF8.self)
        }
        var redactor = StreamingRedactor(rules: .default)
        var released = 0
        let start = ContinuousClock.now
        for index in 0..<chunks { released &+= redactor.feed(pieces[index % pieces.count]).utf8.count }
        released &+= redactor.finish().utf8.count
        let elapsed = (ContinuousClock.now - start).seconds
        precondition(released > 0)
        return elapsed * 1e9 / Double(chunks)
    }

    static func run(
        daemonPath: String,
        baseURL: String,
        rounds: Int,
        ttftCount: Int,
        quick: Bool
    ) async throws -> Result {
        var result = Result()
        for bytes in [1_000, 100_000] {
            let checks = inputChecks(bytes: bytes, iterations: quick ? 50 : (bytes > 10_000 ? 300 : 3_000))
            note("security input checks, \(bytes) bytes: p50 \(fmt(checks.p50, 1)) µs, p99 \(fmt(checks.p99, 1)) µs")
            result.inputChecks.append((bytes, checks))
        }
        for bytes in [16, 1_000] {
            let ns = perChunk(bytes: bytes, chunks: quick ? 2_000 : 50_000)
            note("output redaction, \(bytes)-byte chunks: \(fmt(ns / 1000, 2)) µs per chunk")
            result.perChunk.append((bytes, ns))
        }
        let on = try DaemonHarness(
            binary: daemonPath,
            upstreamBaseURL: baseURL,
            extraConfig: "security:\n  redaction: {output: true}"
        )
        defer { on.stop() }
        let off = try DaemonHarness(binary: daemonPath, upstreamBaseURL: baseURL)
        defer { off.stop() }
        _ = try on.waitUntilAccepting()
        _ = try off.waitUntilAccepting()
        for daemon in [on, off] { _ = try await TTFT.throughDaemon(socket: daemon.socketPath, count: 0, warmup: 20) }
        for round in 0..<rounds {
            for redacting in round.isMultiple(of: 2) ? [true, false] : [false, true] {
                let samples = try await TTFT.throughDaemon(
                    socket: (redacting ? on : off).socketPath,
                    count: ttftCount,
                    warmup: 5
                )
                if redacting { result.ttftOn += samples } else { result.ttftOff += samples }
            }
        }
        guard on.isRunning, off.isRunning else { throw BenchError.failed("a daemon exited during the security runs") }
        return result
    }

    static func tableRows(_ result: Result) -> [String] {
        var rows = result.inputChecks.map { bytes, us in
            "| Security input checks per request (limits, injection score, PII scan), \(bytes / 1000) KB prompt | "
                + "p50 \(fmt(us.p50, 1)) µs, p99 \(fmt(us.p99, 1)) µs | | (in process) |"
        }
        rows += result.perChunk.map { bytes, ns in
            "| Output redaction per streamed chunk, \(bytes)-byte chunks | \(fmt(ns / 1000, 2)) µs | | (in process) |"
        }
        let on = Percentiles(result.ttftOn)
        let off = Percentiles(result.ttftOff)
        rows.append(
            "| Output redaction on / off, TTFT p50 / p99 (\(on.sorted.count) requests each, alternating) | "
                + "\(fmt(on.p50, 0)) / \(fmt(on.p99, 0)) µs vs \(fmt(off.p50, 0)) / \(fmt(off.p99, 0)) µs "
                + "(p50 \(signed(on.p50 - off.p50, 0)) µs) | | (reference) |"
        )
        return rows
    }
}
