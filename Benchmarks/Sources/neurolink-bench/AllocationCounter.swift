import Foundation

/// Heap allocations a process makes while it runs a workload, counted from outside: `perf stat`
/// on uprobes at the C library's allocation functions (`--allocations`). Nothing in the daemon
/// changes, so the figure is the release daemon's own; it needs root and Debian's `linux-perf`.
/// (Under valgrind the daemon runs some 50 times slower, which changes how events batch; the
/// `instructions` section uses it for what does not depend on that.)
final class AllocationCounter {
    /// Every libc entry point Swift's allocator and the C libraries reach.
    static let functions = ["malloc", "calloc", "realloc", "posix_memalign", "aligned_alloc"]

    private let process: Process
    private let outputPath: String

    /// Adds the uprobes (once per boot; existing ones are kept) at `pid`'s C library.
    static func prepare(pid: Int32) throws(BenchError) {
        guard let libc = libcPath(pid: pid) else {
            throw BenchError.failed("--allocations: no libc in /proc/\(pid)/maps")
        }
        for function in functions {
            let result = run(["perf", "probe", "-q", "-x", libc, function])
            guard result == 0 || probeExists(function) else {
                throw BenchError.failed(
                    "--allocations: `perf probe -x \(libc) \(function)` failed (root and linux-perf needed)"
                )
            }
        }
    }

    /// Starts counting `pid`'s allocations. perf writes a line per event every 100 ms to a file:
    /// it cannot be asked to stop and print its totals, because it inherits the bench thread's
    /// blocked signals (SIGINT and SIGTERM among them), so it is killed and its intervals summed.
    init(pid: Int32) throws {
        outputPath = "/tmp/nlb-perf-\(pid)-\(UInt32.random(in: 0...UInt32.max)).csv"
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/perf")
        let events = Self.functions.map { "probe_libc:\($0)" }.joined(separator: ",")
        process.arguments = ["stat", "-x", ",", "-I", "100", "-o", outputPath, "-e", events, "-p", "\(pid)"]
        process.standardError = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        // perf attaches its probes after it starts: give it the moment before the workload does.
        Thread.sleep(forTimeInterval: 0.3)
    }

    /// Stops counting; the allocations made since ``init(pid:)``, or `nil` when perf wrote nothing.
    func stop() -> Int? {
        // One more interval, so that the last one with the workload's allocations is written.
        Thread.sleep(forTimeInterval: 0.25)
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        guard let file = FileHandle(forReadingAtPath: outputPath) else { return nil }
        let text = String(decoding: file.readDataToEndOfFile(), as: UTF8.self)
        // CSV interval lines: time,count,unit,event,...; "<not counted>" when a probe is missing.
        let counts = text.split(separator: "\n").compactMap { line -> Int? in
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            guard fields.count > 3, fields[3].hasPrefix("probe_libc:") else { return nil }
            return Int(fields[1])
        }
        return counts.isEmpty ? nil : counts.reduce(0, +)
    }

    private static func libcPath(pid: Int32) -> String? {
        // Read to the end: `String(contentsOfFile:)` stops after the first 4 KiB of a /proc file.
        guard let file = FileHandle(forReadingAtPath: "/proc/\(pid)/maps") else { return nil }
        let maps = String(decoding: file.readDataToEndOfFile(), as: UTF8.self)
        return maps.split(separator: "\n").lazy.compactMap { line -> String? in
            guard let path = line.split(separator: " ", omittingEmptySubsequences: true).last,
                path.hasSuffix("/libc.so.6")
            else { return nil }
            return String(path)
        }.first
    }

    private static func probeExists(_ function: String) -> Bool {
        let pipe = Pipe()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/perf")
        process.arguments = ["probe", "-l", "probe_libc:\(function)"]
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return !pipe.fileHandleForReading.readDataToEndOfFile().isEmpty
    }

    private static func run(_ arguments: [String]) -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return -1 }
        process.waitUntilExit()
        return process.terminationStatus
    }
}
