import Foundation

/// Heap allocations a process makes while it runs a workload, counted from outside: `perf stat`
/// on uprobes at the C library's allocation functions (`--allocations`). Nothing in the daemon
/// changes, so the figure is the release daemon's own; it needs root and Debian's `linux-perf`.
/// (valgrind 3.19, Debian 12's, cannot read this toolchain's binaries; the machine's virtual CPU has
/// no instruction counter for `perf stat -e instructions`.)
final class AllocationCounter {
    /// Every libc entry point Swift's allocator and the C libraries reach.
    static let functions = ["malloc", "calloc", "realloc", "posix_memalign", "aligned_alloc"]

    private let process: Process
    private let output: Pipe

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

    /// Starts counting `pid`'s allocations.
    init(pid: Int32) throws {
        process = Process()
        output = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/perf")
        let events = Self.functions.map { "probe_libc:\($0)" }.joined(separator: ",")
        process.arguments = ["stat", "-x", ",", "-e", events, "-p", "\(pid)"]
        process.standardError = output
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        // perf attaches its probes after it starts: give it the moment before the workload does.
        Thread.sleep(forTimeInterval: 0.3)
    }

    /// Stops counting; the allocations made since ``init(pid:)``, or `nil` when perf said nothing.
    func stop() -> Int? {
        process.interrupt()
        process.waitUntilExit()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        // CSV lines: count,unit,event,...; "<not counted>" when a probe is missing.
        let counts = text.split(separator: "\n").compactMap { line -> Int? in
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            guard fields.count > 2, fields[2].hasPrefix("probe_libc:") else { return nil }
            return Int(fields[0])
        }
        return counts.isEmpty ? nil : counts.reduce(0, +)
    }

    private static func libcPath(pid: Int32) -> String? {
        guard let maps = try? String(contentsOfFile: "/proc/\(pid)/maps", encoding: .utf8) else { return nil }
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
