import Foundation

/// One `neurolinkd` process on a temporary socket, with a config pointing at the loopback upstream.
final class DaemonHarness: @unchecked Sendable {
    let directory: String
    let socketPath: String
    let logPath: String
    let process: Process
    /// Taken immediately before the process was spawned.
    let launchedAt: ContinuousClock.Instant

    var pid: Int32 { process.processIdentifier }

    /// The config every run uses: one openai-compatible provider on the loopback upstream, log level
    /// warning, and no first-chunk, idle or total timeouts (the idle-stream test holds 1,000 streams open).
    /// With `faultProviders` (`--faults`): a provider per upstream fault of the soak (``SoakFault``),
    /// `loop` as the default for every request that names none, and one attempt per request.
    /// With `raiseTenantCap`: room for the idle-stream test's streams (1,000 by default) of one tenant
    /// (`server.max_requests_per_tenant`, 512 by default in daemons that have it).
    static func config(baseURL: String, faultProviders: Bool = false, raiseTenantCap: Bool = false) -> String {
        """
        \(raiseTenantCap ? "server:\n  max_requests_per_tenant: \(tenantCap)" : "")
        logging:
          level: warning
        timeouts:
          connect_ms: 10000
          first_chunk_ms: 0
          idle_ms: 0
          total_ms: 0
        providers:
          - name: loop
            type: openai-compatible
            base_url: \(baseURL)
            default_model: m
        \(faultProviders ? SoakFault.providers(baseURL: baseURL) : "")
        \(faultProviders ? "defaults:\n  provider: loop\nrouting:\n  max_attempts: 1\n  health_check:\n    interval_ms: 0" : "")
        """
    }

    /// `--all-stages`: every stage of the pipeline on, with bounds small enough that the soak reaches
    /// them within its first minute (so that RSS after warm-up is the steady state): analytics and
    /// audit (on by default), the exact cache for every request (4 MiB in memory, 16 MiB on disk),
    /// the semantic tier when `modelDirectory` holds the embedding model, input and output
    /// redaction, an output filter, injection detection (`flag`, the default), and memory for every
    /// request with a session.
    static func allStagesConfig(modelDirectory: String?) -> String {
        let semantic =
            modelDirectory.map { "\n  semantic:\n    enabled: true\n    model_dir: \($0)" } ?? ""
        return """
            cache:
              nondeterministic: true
              max_size_mb: 4
              max_disk_mb: 16\(semantic)
            security:
              injection: {mode: flag}
              redaction: {input: true, output: true}
              filters:
                - {id: soak-filter, term: forbiddenword}
            memory:
              default_for: ["*"]
              max_messages_per_session: 20
            """
    }

    /// Spawns the daemon; does not wait for it (see ``waitUntilAccepting(timeout:)``). `extraConfig`
    /// is appended to the config (top-level keys the default config does not set). With `wrapper`
    /// (a tool and its arguments, such as valgrind's), the daemon runs under that tool, which must
    /// run it in its own process (so that ``pid`` is the daemon's).
    init(
        binary: String,
        upstreamBaseURL: String,
        faultProviders: Bool = false,
        extraConfig: String = "",
        wrapper: [String] = []
    ) throws {
        // Socket paths must stay under 108 bytes: keep the directory short.
        directory = "/tmp/nlb-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        socketPath = directory + "/d.sock"
        logPath = directory + "/daemon.log"
        let configPath = directory + "/neurolinkd.yaml"
        let raise = Self.accepts(
            Self.config(baseURL: upstreamBaseURL, raiseTenantCap: true),
            binary: binary,
            in: directory
        )
        let config = Self.config(baseURL: upstreamBaseURL, faultProviders: faultProviders, raiseTenantCap: raise)
        try (config + "\n" + extraConfig).write(
            toFile: configPath,
            atomically: true,
            encoding: .utf8
        )
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))

        process = Process()
        let command = wrapper + [binary, "--config", configPath, "--socket", socketPath]
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst())
        // A clean environment: no NEUROLINK_* or provider keys from the caller's shell; OpenBLAS on
        // one thread, as the shipped unit sets it; the databases in the run's own directory (as
        // root the daemon would use /var/lib/neurolink, whose contents would then weigh on the
        // figures: a persisted cache is loaded at start, and every run added analytics rows).
        process.environment = [
            "PATH": "/usr/bin:/bin", "HOME": directory, "OPENBLAS_NUM_THREADS": "1", "STATE_DIRECTORY": directory,
        ]
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        launchedAt = .now
        try process.run()
    }

    /// More than the bench ever runs at once (`--idle-streams` takes at most 50,000).
    static let tenantCap = 50_000

    /// Whether `binary --check-config` accepts `config`: daemons older than a key reject it as unknown,
    /// and the bench measures older daemons too.
    static func accepts(_ config: String, binary: String, in directory: String) -> Bool {
        let path = directory + "/probe.yaml"
        guard (try? config.write(toFile: path, atomically: true, encoding: .utf8)) != nil else { return false }
        defer { try? FileManager.default.removeItem(atPath: path) }
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: binary)
        probe.arguments = ["--check-config", "--config", path]
        probe.environment = ["PATH": "/usr/bin:/bin", "HOME": directory]
        probe.standardOutput = FileHandle.nullDevice
        probe.standardError = FileHandle.nullDevice
        guard (try? probe.run()) != nil else { return false }
        probe.waitUntilExit()
        return probe.terminationStatus == 0
    }

    /// Polls `connect()` on the socket every 1 ms until it succeeds; returns the time since launch.
    func waitUntilAccepting(timeout: Duration = .seconds(10)) throws -> Duration {
        let deadline = launchedAt + timeout
        while ContinuousClock.now < deadline {
            if Self.canConnect(socketPath) { return .now - launchedAt }
            guard process.isRunning else { break }
            usleep(1000)
        }
        throw BenchError.failed(
            "neurolinkd did not accept connections within \(Int(timeout.seconds)) s; log:\n\(logTail)"
        )
    }

    var rssKiB: Int { ProcStats.rssKiB(pid: pid) ?? 0 }
    var cpuTicks: Int { ProcStats.cpuTicks(pid: pid) ?? 0 }
    var isRunning: Bool { process.isRunning }

    var logTail: String {
        let text = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        return String(text.suffix(4000))
    }

    /// SIGTERM, then SIGKILL after 5 s; removes the temporary directory.
    func stop() {
        if process.isRunning {
            kill(pid, SIGTERM)
            let deadline = ContinuousClock.now + .seconds(5)
            while process.isRunning, ContinuousClock.now < deadline { usleep(2000) }
            if process.isRunning {
                kill(pid, SIGKILL)
                let hard = ContinuousClock.now + .seconds(5)
                while process.isRunning, ContinuousClock.now < hard { usleep(2000) }
            }
        }
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Whether something accepts a connection on the Unix socket at `path` right now.
    static func canConnect(_ path: String) -> Bool {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        let fits = withUnsafeMutableBytes(of: &address.sun_path) { raw -> Bool in
            guard bytes.count < raw.count else { return false }
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
            return true
        }
        guard fits else { return false }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        return result == 0
    }
}
