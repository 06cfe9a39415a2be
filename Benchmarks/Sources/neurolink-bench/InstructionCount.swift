import Foundation
import LoopbackUpstream

/// Instructions the daemon executes per relayed chunk, counted by callgrind: a figure that does not
/// move with the machine's load, unlike CPU time. The daemon runs under
/// `valgrind --tool=callgrind`; around each stream the counters are zeroed and dumped with
/// `callgrind_control`, so start-up and the bench's own waiting are not counted. Each case runs a
/// short and a long stream, and the difference is divided by the difference in chunks: what one
/// more chunk costs, without the request's own fixed cost (which is reported apart).
enum InstructionCount {
    struct Case: Sendable {
        var name: String
        /// The short and the long stream's pieces.
        var pieces: (short: Int, long: Int)
        var delay: Duration?

        func model(_ pieces: Int) -> String { "cg-\(name)-\(pieces)" }
    }

    struct Measurement: Sendable {
        var name: String
        /// Instructions per 1,000 chunks, one value per round.
        var per1000: [Double]
        /// Instructions of a request beyond its chunks (the short stream's total less its chunks'
        /// share), one value per round.
        var perRequest: [Double]
    }

    struct Result: Sendable {
        var measurements: [Measurement]
        var valgrind: String
    }

    /// Each event in its own read: pieces 10 ms apart, far more than the daemon needs for one
    /// event even when callgrind makes it some 50 times slower.
    static func cases(quick: Bool) -> [Case] {
        [
            Case(name: "paced", pieces: (20, quick ? 120 : 220), delay: .milliseconds(10)),
            Case(name: "batched", pieces: (1_000, quick ? 6_000 : 11_000), delay: nil),
        ]
    }

    static let tools = ["valgrind", "callgrind_control", "objcopy"]

    /// The tools' paths, or `nil` when one is missing (the section is then skipped).
    static func findTools() -> [String: String]? {
        var found: [String: String] = [:]
        for tool in tools {
            guard
                let path = ["/usr/bin", "/usr/local/bin"].map({ "\($0)/\(tool)" })
                    .first(where: FileManager.default.isExecutableFile(atPath:))
            else { return nil }
            found[tool] = path
        }
        return found
    }

    /// Runs the cases `rounds` times each; `keepIn` keeps callgrind's dumps in that folder.
    static func run(
        daemonPath: String,
        upstream: LoopbackUpstream,
        rounds: Int,
        quick: Bool,
        keepIn: String?
    ) async throws -> Result? {
        guard let tools = findTools(), let valgrind = tools["valgrind"], let control = tools["callgrind_control"],
            let objcopy = tools["objcopy"]
        else {
            note("instructions: skipped, needs \(Self.tools.joined(separator: ", ")) (Debian: valgrind, binutils)")
            return nil
        }
        let cases = cases(quick: quick)
        for item in cases {
            for pieces in [item.pieces.short, item.pieces.long] {
                let stream = OpenAIStream(pieces: Array(repeating: "tok ", count: pieces), delay: item.delay ?? .zero)
                upstream.register(model: item.model(pieces), .stream(stream))
            }
        }
        let work = keepIn ?? "/tmp/nlb-cg-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { if keepIn == nil { try? FileManager.default.removeItem(atPath: work) } }
        // valgrind 3.19 (Debian 12's) cannot read the DWARF 5 this toolchain writes and gives up:
        // it runs a copy without debug information (symbols stay, so profiles keep their names).
        let binary = work + "/neurolinkd"
        try runTool(objcopy, ["--strip-debug", daemonPath, binary])
        let daemon = try DaemonHarness(
            binary: binary,
            upstreamBaseURL: upstream.baseURL,
            wrapper: [valgrind, "--tool=callgrind", "--callgrind-out-file=\(work)/callgrind.%p"]
        )
        defer { daemon.stop() }
        _ = try daemon.waitUntilAccepting(timeout: .seconds(180))
        let counter = Counter(control: control, pid: daemon.pid, directory: work)
        // First requests run code for the first time (lookups the runtime caches): not counted.
        for item in cases { try await stream(item.model(item.pieces.short), pieces: item.pieces.short, daemon) }

        var measurements: [Measurement] = []
        for item in cases {
            var measurement = Measurement(name: item.name, per1000: [], perRequest: [])
            for _ in 0..<rounds {
                let short = try await counter.count {
                    try await stream(item.model(item.pieces.short), pieces: item.pieces.short, daemon)
                }
                let long = try await counter.count {
                    try await stream(item.model(item.pieces.long), pieces: item.pieces.long, daemon)
                }
                let perChunk = (long - short) / Double(item.pieces.long - item.pieces.short)
                measurement.per1000.append(perChunk * 1000)
                measurement.perRequest.append(short - perChunk * Double(item.pieces.short))
            }
            note(
                "instructions, \(item.name): \(measurement.per1000.map { fmt($0 / 1e6, 2) }.joined(separator: ", ")) M per 1,000 chunks"
            )
            measurements.append(measurement)
        }
        return Result(measurements: measurements, valgrind: try toolVersion(valgrind))
    }

    /// One stream through the daemon with the counting client; fails unless every chunk came.
    private static func stream(_ model: String, pieces: Int, _ daemon: DaemonHarness) async throws {
        let counts = try await withDeadline(.seconds(300), "instructions: \(model)") {
            try await RawFrameClient.run(socket: daemon.socketPath, streams: 1, request: Model.request(model))
        }
        // The text chunks and the `finish` chunk.
        guard counts.errors == 0, counts.chunkFrames == pieces + 1 else {
            throw BenchError.failed(
                "instructions: \(model) gave \(counts.chunkFrames) chunk frames, \(counts.errors) errors"
            )
        }
    }

    /// Zeroes and dumps callgrind's counters in the running daemon.
    private struct Counter {
        let control: String
        let pid: Int32
        let directory: String

        /// The instructions the daemon executed while `body` ran.
        func count(_ body: () async throws -> Void) async throws -> Double {
            try runTool(control, ["--zero", "\(pid)"])
            try await body()
            try runTool(control, ["--dump", "\(pid)"])
            return try lastDumpTotal()
        }

        /// The `summary:` line of the newest dump (`callgrind.PID.N`, N counting up).
        private func lastDumpTotal() throws -> Double {
            let prefix = "callgrind.\(pid)."
            let newest = try FileManager.default.contentsOfDirectory(atPath: directory)
                .filter { $0.hasPrefix(prefix) }
                .compactMap { Int($0.dropFirst(prefix.count)) }
                .max()
            guard let newest else { throw BenchError.failed("instructions: callgrind wrote no dump in \(directory)") }
            let text = try String(contentsOfFile: "\(directory)/\(prefix)\(newest)", encoding: .utf8)
            guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("summary:") }),
                let total = Double(line.dropFirst("summary:".count).trimmingCharacters(in: .whitespaces))
            else { throw BenchError.failed("instructions: no summary line in callgrind's dump \(newest)") }
            return total
        }
    }

    @discardableResult
    private static func runTool(_ path: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw BenchError.failed("\(path) \(arguments.joined(separator: " ")) failed: \(text)")
        }
        return text
    }

    private static func toolVersion(_ valgrind: String) throws -> String {
        try runTool(valgrind, ["--version"]).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func tableRows(_ result: Result) -> [String] {
        result.measurements.map { measurement in
            let values = measurement.per1000.map { fmt($0 / 1e6, 2) }.joined(separator: " / ")
            let request = measurement.perRequest.map { fmt($0 / 1e6, 2) }.joined(separator: " / ")
            return "| Daemon instructions per 1,000 chunks, \(measurement.name) (callgrind, \(result.valgrind); "
                + "each round; a request's own: \(request) M) | \(values) M | (reference) | |"
        }
    }
}
