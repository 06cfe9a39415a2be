/// Why a JSON text is not (or not yet) exactly one valid JSON value.
///
/// Thrown by ``PartialJSONParser/finalValue()``. The offset lets a caller point at the offending spot
/// in the model's output, e.g. when asking the model to repair it.
public struct PartialJSONError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The UTF-8 byte offset, from the start of all text appended, where the problem was detected.
    public var offset: Int
    /// What is wrong, in words suitable for a log line or a repair prompt.
    public var message: String

    public init(offset: Int, message: String) {
        self.offset = offset
        self.message = message
    }

    public var description: String { "invalid JSON at byte \(offset): \(message)" }
}
