import Foundation

/// LiteLLM's proxy (`litellm[proxy]` from PyPI, in the bench-only venv `Benchmarks/compare-litellm.sh`
/// makes) as the comparison's third target: one worker, logging at ERROR (no access log), the
/// bench's upstream as its only model, a master key as its only credential.
final class LiteLLMProxy: @unchecked Sendable {
    let directory: String
    let process: Process
    let port: Int
    let launchedAt: ContinuousClock.Instant
    /// The key the proxy accepts; neurolinkd's front is given the same one (as a SHA-256).
    static let masterKey = "sk-bench-5f0c1e2d3a4b5c6d7e8f9a0b1c2d3e4f"

    var baseURL: String { "http://127.0.0.1:\(port)/v1" }
    var readyURL: String { "http://127.0.0.1:\(port)/health/readiness" }
    var pid: Int32 { process.processIdentifier }

    init(executable: String, upstreamBaseURL: String, model: String, port: Int) throws {
        self.port = port
        directory = "/tmp/nlb-litellm-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let config = """
            model_list:
              - model_name: \(model)
                litellm_params:
                  model: openai/\(model)
                  api_base: \(upstreamBaseURL)
                  api_key: none
            litellm_settings:
              telemetry: false
            """
        try config.write(toFile: directory + "/config.yaml", atomically: true, encoding: .utf8)
        let logPath = directory + "/litellm.log"
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = [
            "--config", directory + "/config.yaml", "--host", "127.0.0.1", "--port", String(port),
            "--num_workers", "1",
        ]
        process.environment = [
            "PATH": "/usr/bin:/bin", "HOME": directory,
            "LITELLM_MASTER_KEY": Self.masterKey,
            // No access log and no debug logging; the cost map from the package, not the network.
            "LITELLM_LOG": "ERROR", "LITELLM_LOCAL_MODEL_COST_MAP": "True",
        ]
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        launchedAt = .now
        try process.run()
    }

    /// The proxy's version, from the venv's package metadata (asking the CLI takes seconds).
    static func version(executable: String) -> String {
        let python = URL(fileURLWithPath: executable).deletingLastPathComponent().appendingPathComponent("python")
        let probe = Process()
        let pipe = Pipe()
        probe.executableURL = python
        probe.arguments = ["-c", "import importlib.metadata as m; print(m.version('litellm'))"]
        probe.standardOutput = pipe
        probe.standardError = FileHandle.nullDevice
        guard (try? probe.run()) != nil else { return "?" }
        probe.waitUntilExit()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        return String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Resident memory of the proxy and every process under it.
    var treeRSSKiB: Int { ProcStats.treePIDs(root: pid).compactMap { ProcStats.rssKiB(pid: $0) }.reduce(0, +) }

    /// CPU ticks of the proxy and every process under it.
    var treeCPUTicks: Int { ProcStats.treePIDs(root: pid).compactMap { ProcStats.cpuTicks(pid: $0) }.reduce(0, +) }

    var logTail: String {
        String(((try? String(contentsOfFile: directory + "/litellm.log", encoding: .utf8)) ?? "").suffix(3000))
    }

    /// SIGTERM to the proxy and its children, SIGKILL after 10 s; removes the temporary directory.
    func stop() {
        let tree = ProcStats.treePIDs(root: pid)
        for member in tree { kill(member, SIGTERM) }
        let deadline = ContinuousClock.now + .seconds(10)
        while process.isRunning, ContinuousClock.now < deadline { usleep(10_000) }
        for member in tree { kill(member, SIGKILL) }
        process.waitUntilExit()
        try? FileManager.default.removeItem(atPath: directory)
    }
}

extension ProcStats {
    /// `root` and all its descendants, from the parent ids in /proc/PID/stat.
    static func treePIDs(root: Int32) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        var children: [Int32: [Int32]] = [:]
        for entry in entries {
            guard let pid = Int32(entry), let parent = parentPID(pid) else { continue }
            children[parent, default: []].append(pid)
        }
        var tree = [root]
        var index = 0
        while index < tree.count {
            tree += children[tree[index]] ?? []
            index += 1
        }
        return tree
    }

    private static func parentPID(_ pid: Int32) -> Int32? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return nil }
        // After "pid (comm)": state, then the parent's id.
        return stat[stat.index(after: close)...].split(separator: " ").dropFirst().first.flatMap { Int32($0) }
    }
}
