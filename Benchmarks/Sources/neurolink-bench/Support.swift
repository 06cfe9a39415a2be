import Foundation
import Synchronization

/// Progress goes to stderr; the final report goes to stdout.
func note(_ message: String) {
    FileHandle.standardError.write(Data("[bench] \(message)\n".utf8))
}

extension Duration {
    var ms: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) * 1e3 + Double(attoseconds) / 1e15
    }

    var us: Double { ms * 1e3 }
    var seconds: Double { ms / 1e3 }
}

/// Runs `body`, cancelling it and throwing ``BenchError/timeout(_:)`` after `limit`.
func withDeadline<T: Sendable>(
    _ limit: Duration,
    _ what: String,
    _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try? await Task.sleep(for: limit)
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let value = first else {
            throw BenchError.timeout("\(what) (limit \(Int(limit.seconds)) s)")
        }
        return value
    }
}

/// Nearest-rank percentiles over a sample.
struct Percentiles: Sendable {
    let sorted: [Double]

    init(_ samples: [Double]) { sorted = samples.sorted() }

    func p(_ fraction: Double) -> Double {
        guard !sorted.isEmpty else { return .nan }
        let rank = Int((fraction * Double(sorted.count)).rounded(.up))
        return sorted[Swift.min(Swift.max(rank, 1), sorted.count) - 1]
    }

    var p50: Double { p(0.50) }
    var p99: Double { p(0.99) }
    var min: Double { sorted.first ?? .nan }
    var max: Double { sorted.last ?? .nan }
}

/// Resident memory and CPU time of a process, from /proc.
enum ProcStats {
    /// `VmRSS` in KiB, or `nil` when the process is gone.
    static func rssKiB(pid: Int32) -> Int? {
        field("VmRSS:", pid: pid)
    }

    /// `VmHWM` (peak RSS) in KiB.
    static func peakRSSKiB(pid: Int32) -> Int? {
        field("VmHWM:", pid: pid)
    }

    private static func field(_ name: String, pid: Int32) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(name) }) else { return nil }
        return line.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first.flatMap { Int($0) }
    }

    /// `RssAnon` and `RssFile` (KiB): heap and stacks versus mapped files such as shared libraries.
    static func rssSplitKiB(pid: Int32) -> (anon: Int, file: Int)? {
        guard let anon = field("RssAnon:", pid: pid), let file = field("RssFile:", pid: pid) else { return nil }
        return (anon, file)
    }

    /// utime + stime in clock ticks (fields 14 and 15 of /proc/PID/stat).
    static func cpuTicks(pid: Int32) -> Int? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return nil }
        // After "pid (comm)" the fields start at #3 (state): utime is #14, stime #15.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = Int(fields[11]), let system = Int(fields[12]) else { return nil }
        return user + system
    }

    static let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))

    static func cpuMs(ticks: Int) -> Double { Double(ticks) * 1000 / ticksPerSecond }

    /// Threads of a process (`Threads:` in /proc/PID/status).
    static func threads(pid: Int32) -> Int? { field("Threads:", pid: pid) }
}

/// Raises the open-file limit to the hard limit (1,000 streams need ~4,000 descriptors between the
/// bench, the upstream and the daemon, which inherits the limit). Returns the limit in force.
func raiseFileLimit() -> UInt64 {
    var limit = rlimit()
    guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 0 }
    let wanted = min(limit.rlim_max, 1 << 20)
    if limit.rlim_cur < wanted {
        limit.rlim_cur = wanted
        if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) != 0 {
            _ = getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        }
    }
    return UInt64(limit.rlim_cur)
}

extension Collection where Element == UInt8 {
    /// Whether `pattern` occurs in the bytes.
    func containsBytes(_ pattern: [UInt8]) -> Bool {
        guard !pattern.isEmpty, count >= pattern.count else { return pattern.isEmpty }
        var index = startIndex
        while index != endIndex {
            if self[index...].starts(with: pattern) { return true }
            index = self.index(after: index)
        }
        return false
    }
}

/// Counts server-sent events (`\n\n` terminators) in a byte stream delivered in pieces.
struct SSEEventCounter {
    private var lastWasLF = false
    private(set) var events = 0

    mutating func feed(_ bytes: [UInt8]) {
        for byte in bytes {
            if byte == UInt8(ascii: "\n") {
                if lastWasLF {
                    events += 1
                    lastWasLF = false
                } else {
                    lastWasLF = true
                }
            } else if byte != UInt8(ascii: "\r") {
                lastWasLF = false
            }
        }
    }
}

/// `value` with `decimals` digits after the point.
func fmt(_ value: Double, _ decimals: Int = 1) -> String {
    String(format: "%.\(decimals)f", value)
}

/// A signed number with `decimals` digits after the point.
func signed(_ value: Double, _ decimals: Int = 1) -> String {
    (value >= 0 ? "+" : "") + fmt(value, decimals)
}

/// A mutex-guarded value that closures running in other tasks can share.
final class Shared<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>

    init(_ value: Value) { mutex = Mutex(value) }

    func withLock<R: Sendable>(_ body: (inout sending Value) -> sending R) -> R {
        mutex.withLock { body(&$0) }
    }
}
