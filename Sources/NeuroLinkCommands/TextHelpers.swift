import FoundationEssentials

#if canImport(Glibc)
import Glibc
#endif

extension Character {
    /// Horizontal white space: spaces and tabs, not line breaks.
    var isBlank: Bool { isWhitespace && !isNewline }
}

extension StringProtocol {
    /// The text without its leading and trailing characters for which `drop` is true (by default
    /// white space and line breaks).
    func trimmed(while drop: (Character) -> Bool = \.isWhitespace) -> String {
        guard let first = firstIndex(where: { !drop($0) }), let last = lastIndex(where: { !drop($0) }) else {
            return ""
        }
        return String(self[first...last])
    }
}

/// Why a file could not be read or written, in the C library's words ("No such file or directory"):
/// FoundationEssentials' file errors carry the `errno` but no text for people.
func fileErrorReason(_ error: any Error) -> String {
    let posix = (error as? CocoaError)?.underlying as? POSIXError ?? error as? POSIXError
    guard let posix else { return "\(error)" }
    return String(cString: strerror(posix.code.rawValue))
}
