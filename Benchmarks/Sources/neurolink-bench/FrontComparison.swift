import Foundation
import LoopbackUpstream
import NeuroLinkHTTP
import NeuroLinkTestSupport

/// The HTTP front side by side with LiteLLM's proxy, in one run: the same loopback upstream
/// answer, the same load generator (``HTTPLoad``), three targets measured one after another:
/// the upstream itself, neurolinkd's OpenAI-compatible front, and LiteLLM (when `--litellm` names it).
enum FrontComparison {
    struct Settings: Sendable {
        var sequential: Int
        var warmup: Int
        var rateDuration: Duration
        var concurrencies = [1, 10, 100]
        var launches: Int
        var litellmLaunches: Int

        init(quick: Bool) {
            sequential = quick ? 100 : 500
            warmup = quick ? 20 : 50
            rateDuration = quick ? .seconds(3) : .seconds(10)
            launches = quick ? 3 : 5
            litellmLaunches = quick ? 1 : 3
        }
    }

    /// What one target measured.
    struct Target: Sendable {
        struct Key: Hashable, Sendable {
            var stream: Bool
            var concurrency: Int
        }

        var name: String
        var readyMs: [Double] = []
        var idleRSSKiB: Int?
        var loadRSSKiB: Int?
        /// Non-streamed, request to the end of the answer (µs).
        var latency = Percentiles([])
        /// Streamed, request to the first token (µs).
        var ttft = Percentiles([])
        var rates: [Key: HTTPLoad.Rate] = [:]
        /// The target's CPU time (its processes' utime + stime) per completed request, in µs.
        var cpuPerRequestUs: [Key: Double] = [:]
    }

    /// How the bench reads a target's process: resident memory and CPU ticks (`nil` for direct).
    struct Probe: Sendable {
        var rssKiB: @Sendable () -> Int?
        var cpuTicks: @Sendable () -> Int?
        static let none = Probe(rssKiB: { nil }, cpuTicks: { nil })
    }

    struct Result: Sendable {
        var settings: Settings
        var direct: Target
        var neurolinkd: Target
        var litellm: Target?
        var litellmVersion: String?
    }

    /// The upstream model all three targets reach.
    static let model = "bench"
    /// SHA-256 of ``LiteLLMProxy/masterKey``: neurolinkd's front takes the same bearer token.
    static let keyHash = "6dd1e45108b8a584ee3447cccee480a5239a294592ce47d965a73523a2f9b447"

    static func run(
        daemonPath: String,
        upstream: LoopbackUpstream,
        litellm: String?,
        quick: Bool
    ) async throws
        -> Result
    {
        upstream.register(model: model, .stream(OpenAIStream(pieces: HTTPLoad.pieces)))
        let settings = Settings(quick: quick)
        var direct = Target(name: "direct")
        try await measure(
            &direct,
            endpoint: .init(name: "direct", baseURL: upstream.baseURL, model: model, apiKey: LiteLLMProxy.masterKey),
            settings: settings,
            probe: .none
        )
        let neurolinkd = try await neurolinkd(daemonPath: daemonPath, upstreamBaseURL: upstream.baseURL, settings)
        var result = Result(settings: settings, direct: direct, neurolinkd: neurolinkd)
        if let litellm {
            result.litellmVersion = LiteLLMProxy.version(executable: litellm)
            result.litellm = try await self.litellm(litellm, upstreamBaseURL: upstream.baseURL, settings)
        }
        return result
    }

    /// Launches the daemon `settings.launches` times for the time to ready; measures the last one.
    private static func neurolinkd(
        daemonPath: String,
        upstreamBaseURL: String,
        _ settings: Settings
    ) async throws
        -> Target
    {
        var target = Target(name: "neurolinkd")
        for launch in 1...settings.launches {
            let port = FreePort.loopback()
            let front = """
                http:
                  listen: 127.0.0.1:\(port)
                  api_keys:
                    - name: bench
                      sha256: \(keyHash)
                      tenant: bench
                """
            let daemon = try DaemonHarness(binary: daemonPath, upstreamBaseURL: upstreamBaseURL, extraConfig: front)
            do {
                let ready = try await waitReady(
                    url: "http://127.0.0.1:\(port)/readyz",
                    since: daemon.launchedAt,
                    running: { daemon.isRunning }
                )
                target.readyMs.append(ready.ms)
                note("neurolinkd launch \(launch)/\(settings.launches): /readyz answered 200 after \(fmt(ready.ms)) ms")
                if launch == settings.launches {
                    try await Task.sleep(for: .seconds(1))
                    target.idleRSSKiB = daemon.rssKiB
                    let endpoint = HTTPLoad.Endpoint(
                        name: "neurolinkd",
                        baseURL: "http://127.0.0.1:\(port)/v1",
                        model: "loop/\(model)",
                        apiKey: LiteLLMProxy.masterKey
                    )
                    let probe = Probe(rssKiB: { daemon.rssKiB }, cpuTicks: { daemon.cpuTicks })
                    try await measure(&target, endpoint: endpoint, settings: settings, probe: probe)
                }
            } catch {
                note("neurolinkd log tail:\n\(daemon.logTail)")
                daemon.stop()
                throw error
            }
            daemon.stop()
        }
        return target
    }

    private static func litellm(
        _ executable: String,
        upstreamBaseURL: String,
        _ settings: Settings
    ) async throws
        -> Target
    {
        var target = Target(name: "LiteLLM")
        for launch in 1...settings.litellmLaunches {
            let proxy = try LiteLLMProxy(
                executable: executable,
                upstreamBaseURL: upstreamBaseURL,
                model: model,
                port: FreePort.loopback()
            )
            do {
                let ready = try await waitReady(
                    url: proxy.readyURL,
                    since: proxy.launchedAt,
                    timeout: .seconds(180),
                    running: { proxy.process.isRunning }
                )
                target.readyMs.append(ready.ms)
                note("LiteLLM launch \(launch)/\(settings.litellmLaunches): ready after \(fmt(ready.ms)) ms")
                if launch == settings.litellmLaunches {
                    try await Task.sleep(for: .seconds(1))
                    target.idleRSSKiB = proxy.treeRSSKiB
                    let endpoint = HTTPLoad.Endpoint(
                        name: "LiteLLM",
                        baseURL: proxy.baseURL,
                        model: model,
                        apiKey: LiteLLMProxy.masterKey
                    )
                    let probe = Probe(rssKiB: { proxy.treeRSSKiB }, cpuTicks: { proxy.treeCPUTicks })
                    try await measure(&target, endpoint: endpoint, settings: settings, probe: probe)
                }
            } catch {
                note("LiteLLM log tail:\n\(proxy.logTail)")
                proxy.stop()
                throw error
            }
            proxy.stop()
        }
        return target
    }

    /// Latency, time to first token and request rates against one endpoint, on a CurlLoop of its
    /// own; its resident memory is sampled every 100 ms during the rate runs for the peak under load.
    private static func measure(
        _ target: inout Target,
        endpoint: HTTPLoad.Endpoint,
        settings: Settings,
        probe: Probe
    ) async throws {
        let loop = try CurlLoop()
        loop.start()
        let load = HTTPLoad(loop: loop, endpoint: endpoint)
        do {
            target.latency = Percentiles(
                try await load.sequential(stream: false, count: settings.sequential, warmup: settings.warmup)
            )
            target.ttft = Percentiles(
                try await load.sequential(stream: true, count: settings.sequential, warmup: settings.warmup)
            )
        } catch {
            await loop.shutdown()
            throw error
        }
        note(
            "\(endpoint.name): latency p50 \(fmt(target.latency.p50, 0)) µs, first token p50 \(fmt(target.ttft.p50, 0)) µs"
        )
        let peak = Shared(0)
        let sampler = Task {
            while !Task.isCancelled {
                if let value = probe.rssKiB() { peak.withLock { $0 = max($0, value) } }
                try? await Task.sleep(for: .milliseconds(100))
            }
        }
        var rates: [Target.Key: HTTPLoad.Rate] = [:]
        for stream in [false, true] {
            for concurrency in settings.concurrencies {
                let key = Target.Key(stream: stream, concurrency: concurrency)
                let ticks = probe.cpuTicks()
                let rate = await load.rate(stream: stream, concurrency: concurrency, duration: settings.rateDuration)
                rates[key] = rate
                if let before = ticks, let after = probe.cpuTicks(), rate.completed > 0 {
                    target.cpuPerRequestUs[key] = ProcStats.cpuMs(ticks: after - before) * 1000 / Double(rate.completed)
                }
                note(
                    "\(endpoint.name): \(stream ? "streamed" : "non-streamed") at concurrency \(concurrency): "
                        + "\(fmt(rate.perSecond, 0)) requests/s\(rate.failed > 0 ? ", \(rate.failed) FAILED" : "")"
                )
            }
        }
        sampler.cancel()
        _ = await sampler.value
        await loop.shutdown()
        let measured = peak.withLock { $0 }
        target.loadRSSKiB = measured > 0 ? measured : nil
        target.rates = rates
    }

    /// Polls `url` every millisecond until it answers 200; the time since `since`.
    private static func waitReady(
        url: String,
        since: ContinuousClock.Instant,
        timeout: Duration = .seconds(10),
        running: () -> Bool
    ) async throws -> Duration {
        let loop = try CurlLoop()
        loop.start()
        let probe = HTTPRequest(
            method: "GET",
            url: url,
            timeouts: TransferTimeouts(connect: .milliseconds(500), total: .seconds(5))
        )
        while ContinuousClock.now < since + timeout, running() {
            if await status(probe, on: loop) == 200 {
                let ready = ContinuousClock.now - since
                await loop.shutdown()
                return ready
            }
            try? await Task.sleep(for: .milliseconds(1))
        }
        await loop.shutdown()
        throw BenchError.failed("\(url) did not answer 200 within \(Int(timeout.seconds)) s")
    }

    private static func status(_ request: HTTPRequest, on loop: CurlLoop) async -> Int? {
        guard let transfer = try? loop.start(request) else { return nil }
        var status: Int?
        do {
            while let event = try await transfer.next() {
                if case .head(let head) = event { status = head.status }
            }
        } catch {
            return nil
        }
        return status
    }
}
