/// One assignment of the `sd_notify(3)` protocol, such as `READY=1` or `STATUS=…`.
public enum NotifyState: Sendable, Hashable {
    /// Start-up (or a reload) is complete and the service accepts work.
    case ready
    /// A configuration reload has begun; `monotonicMicroseconds` is `CLOCK_MONOTONIC` at that moment,
    /// which newer service managers use to match the reload with its `READY=1`.
    case reloading(monotonicMicroseconds: UInt64)
    /// Shutdown has begun.
    case stopping
    /// A one-line, human-readable state shown by `systemctl status`.
    case status(String)
    /// The process the service manager should treat as the service's main process.
    case mainPID(Int32)
    /// Keep-alive for `WatchdogSec=`.
    case watchdog

    /// The `KEY=value` line sent on the wire.
    public var line: String {
        switch self {
        case .ready: "READY=1"
        case .reloading(let usec): "RELOADING=1\nMONOTONIC_USEC=\(usec)"
        case .stopping: "STOPPING=1"
        // The protocol is line-based: a newline inside the text would start a bogus assignment.
        case .status(let text): "STATUS=" + String(text.map { $0.isNewline ? " " : $0 })
        case .mainPID(let pid): "MAINPID=\(pid)"
        case .watchdog: "WATCHDOG=1"
        }
    }

    /// Several assignments as one datagram, so the service manager applies them together.
    public static func message(_ states: [NotifyState]) -> String {
        states.map(\.line).joined(separator: "\n")
    }
}
