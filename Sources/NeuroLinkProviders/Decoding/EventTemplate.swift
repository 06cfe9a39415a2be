#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A stream's last common event, kept to read the next ones faster: within one answer, the events
/// that carry text usually differ only in that text (the same id, model, creation time and keys
/// around it), so an event whose every other byte is the kept one's is read by comparing those
/// bytes and scanning its one string, instead of scanning it all again.
///
/// Such an event reads as a full read of it would: the bytes before the string are the kept
/// event's, so a reader goes through them as it did there and meets a string at the same place;
/// the string is checked as ``JSONFastScanner`` checks any; the bytes after it are the kept
/// event's too, and add what they added there. The caller keeps only events whose other bytes add
/// nothing but the string (no finish, no usage, no second text).
struct EventTemplate {
    /// Longer events are not kept, so what a stream holds stays small.
    static let maxBytes = 1024

    /// The kept event (the decoder's own array, shared rather than copied).
    private var event: [UInt8] = []
    /// Where its string lies, quotes included.
    private var quoted = 0..<0

    /// Keeps `event`, whose string at `quoted` (quotes included) is the one that changes.
    mutating func keep(_ event: [UInt8], stringAt quoted: Range<Int>) {
        guard event.count <= Self.maxBytes, quoted.lowerBound >= 0, quoted.upperBound <= event.count else { return }
        self.event = event
        self.quoted = quoted
    }

    /// The string `candidate` holds where the kept event holds its own, when every other byte of
    /// the two is the same; nil when any differs, or when that string is not one the scanner reads.
    func string(in candidate: [UInt8]) -> String? {
        guard !event.isEmpty else { return nil }
        let head = quoted.lowerBound + 1  // Through the opening quote.
        let tail = event.count - quoted.upperBound
        guard candidate.count >= head + 1 + tail else { return nil }
        return candidate.withUnsafeBufferPointer { new -> String? in
            event.withUnsafeBufferPointer { kept -> String? in
                guard let newBase = new.baseAddress, let keptBase = kept.baseAddress,
                    memcmp(newBase, keptBase, head) == 0,
                    memcmp(newBase + (candidate.count - tail), keptBase + quoted.upperBound, tail) == 0
                else { return nil }
                return JSONFastScanner.string(in: new, quotedFrom: quoted.lowerBound, to: candidate.count - tail)
            }
        }
    }
}
