#if canImport(Glibc)
import Glibc
#endif

/// Detects whether a descriptor is the stream systemd connected to the journal.
///
/// systemd sets `JOURNAL_STREAM=<device>:<inode>` for a service whose output goes to the journal.
/// The variable alone is not enough: it is inherited by children whose standard error was
/// redirected elsewhere, so it must match `fstat(2)` of the descriptor itself.
public enum JournalStream {
    /// The device and inode numbers in a `JOURNAL_STREAM` value, or `nil` if malformed.
    public static func parse(_ value: String) -> (device: UInt64, inode: UInt64)? {
        let parts = value.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let device = UInt64(parts[0]), let inode = UInt64(parts[1]) else { return nil }
        return (device, inode)
    }

    /// Whether `descriptor` is the stream `value` (a `JOURNAL_STREAM` value) names.
    public static func matches(_ value: String, descriptor: Int32) -> Bool {
        guard let (device, inode) = parse(value) else { return false }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { return false }
        return UInt64(info.st_dev) == device && UInt64(info.st_ino) == inode
    }

    /// Whether standard error goes to the journal, per `environment["JOURNAL_STREAM"]`.
    public static func isStandardErrorJournal(environment: [String: String]) -> Bool {
        guard let value = environment["JOURNAL_STREAM"], !value.isEmpty else { return false }
        return matches(value, descriptor: STDERR_FILENO)
    }
}
