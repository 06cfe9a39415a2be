import Dispatch
import Foundation
import FuzzSupport
import NeuroLinkCore
import NeuroLinkHTTP
import NeuroLinkLimits
import NeuroLinkProtocol
import NeuroLinkProviders

/// The wall-clock time of every response: 2026-01-01T00:00:00Z.
let unixTime = Duration.seconds(1_767_225_600)
let responseDate = Date(timeIntervalSince1970: 1_767_225_600)

/// One adapter per wire format whose errors and model lists are read from provider responses.
let adapters: [any ProviderAdapter] = [
    ProviderType.openai, .azure, .anthropic, .googleAI, .ollama, .bedrock, .sagemaker,
].map { type in
    ProviderEndpoint(
        name: "fuzz",
        type: type,
        baseURL: "https://fuzz.invalid",
        apiKey: nil,
        defaultModel: nil,
        options: ["region": "us-east-1", "endpoint_name": "fuzz"]
    ).makeAdapter()
}

/// Reads the input as a response head and body: a status line (just the code), `name: value`
/// lines, a blank line, the body.
func response(_ bytes: [UInt8]) -> (status: Int, headers: [HTTPHeader], body: [UInt8]) {
    var lines = bytes[...]
    var head: [ArraySlice<UInt8>] = []
    while let newline = lines.firstIndex(of: UInt8(ascii: "\n")) {
        var line = lines[..<newline]
        lines = lines[(newline + 1)...]
        if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
        if line.isEmpty { break }
        head.append(line)
    }
    if head.isEmpty, lines.firstIndex(of: UInt8(ascii: "\n")) == nil, !lines.isEmpty {
        head = [lines]
        lines = lines[lines.endIndex...]
    }
    let status = head.first.flatMap { Int(String(decoding: $0, as: UTF8.self)) } ?? 429
    let headers = head.dropFirst().map { line in
        let colon = line.firstIndex(of: UInt8(ascii: ":")) ?? line.endIndex
        var value = colon == line.endIndex ? line[line.endIndex...] : line[(colon + 1)...]
        if value.first == UInt8(ascii: " ") { value = value.dropFirst() }
        return HTTPHeader(String(decoding: line[..<colon], as: UTF8.self), String(decoding: value, as: UTF8.self))
    }
    return (status, headers, Array(lines))
}

/// Provider responses as the daemon reads them: rate-limit headers into a member's pacing, then
/// admissions paced by it and the `limits` status that reports it (through the daemon's admission
/// controller, with the default settings), `retry-after` of a refusal, and the error body and model
/// list of each wire format. Nothing a provider sends may trap, and pacing must never ask for a
/// negative wait.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzProviderHeaders(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    let (status, headers, body) = response(bytes)
    let retryAfterMs = HTTPErrorMapping.retryAfterMs(headers, now: responseDate)
    if let retryAfterMs {
        invariant((0...HTTPErrorMapping.maxRetryAfterMs).contains(retryAfterMs), "retry-after out of range")
    }
    checkPacing(headers, status: status, retryAfterMs: retryAfterMs)
    var hints: [Int] = []
    for adapter in adapters {
        let error = adapter.error(status: status, headers: headers, body: body)
        _ = error.description
        if let hint = error.data.retryAfterMs {
            invariant(
                (0...HTTPErrorMapping.maxRetryAfterMs).contains(hint),
                "\(adapter.endpoint.type): hint out of range"
            )
            hints.append(hint)
        }
        _ = try? adapter.parseModels(body)
    }
    blocking { [hints] in await admitAndReport(headers, status: status, retryAfterMs: hints) }
    return 0
}

/// One member's pacing from one response, then a few admissions spaced as the limiter allows.
func checkPacing(_ headers: [HTTPHeader], status: Int, retryAfterMs: Int?) {
    let now = ContinuousClock.now
    var pacing = MemberPacing()
    let report = ProviderRateReport(headers: headers.map { ($0.name, $0.value) }, unixTime: unixTime)
    pacing.observe(report, now: now)
    pacing.observe(report, now: now + .milliseconds(10))
    if status == 429 { pacing.observeRetryAfter(retryAfterMs.map { .milliseconds($0) }, now: now) }
    for step in 0..<4 {
        let instant = now + .milliseconds(step * 250)
        let delay = pacing.delay(now: instant)
        invariant(delay >= .zero, "pacing asked for a negative wait")
        _ = pacing.state(now: instant)
        invariant(pacing.pacingInterval(now: instant) >= .zero, "a negative pacing interval")
        // Two requests may pass the check before either is recorded (admission awaits the store).
        if delay == .zero {
            pacing.recordAdmission(now: instant)
            pacing.recordAdmission(now: instant)
        }
    }
}

/// The daemon's path: the limiter observes the response and, for a refusal, each wire format's
/// retry hint (as the pipeline passes it on), requests to the member are admitted or denied, and
/// `nlctl limits` reads the status.
func admitAndReport(_ headers: [HTTPHeader], status: Int, retryAfterMs: [Int]) async {
    let controller = AdmissionController(config: RateLimitConfig())
    let limiter = controller.limiter
    let now = ContinuousClock.now
    limiter.observe(headers: headers.lazy.map { ($0.name, $0.value) }, member: "m", unixTime: unixTime, now: now)
    if status == 429 {
        for hint in retryAfterMs + [nil] as [Int?] {
            limiter.observeRateLimited(member: "m", retryAfter: hint.map { .milliseconds($0) }, now: now)
        }
    }
    for _ in 0..<2 {
        if case .denied(let denial) = await limiter.admit(
            AdmissionRequest(tenant: TenantKey("t"), member: "m"),
            now: now
        ) {
            _ = denial.description
        }
    }
    _ = await controller.limitsStatus(now: now)
}

/// Runs `body` to completion from the fuzzer's synchronous callback.
func blocking(_ body: @escaping @Sendable () async -> Void) {
    let done = DispatchSemaphore(value: 0)
    Task {
        await body()
        done.signal()
    }
    done.wait()
}
