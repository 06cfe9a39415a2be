/// One way a value fails a JSON Schema, or one problem with the schema itself.
public struct SchemaViolation: Sendable, Hashable, CustomStringConvertible {
    /// Whom the violation blames.
    public enum Kind: Sendable, Hashable {
        /// The value does not satisfy the schema; a model can be asked to fix its output.
        case invalidValue
        /// The schema cannot be applied as written (bad `pattern`, unresolvable `$ref`, a keyword of
        /// the wrong type...); the caller's schema needs fixing, not the value.
        case invalidSchema
    }

    /// Where in the value the problem is, as a JSON Pointer (RFC 6901) such as `/items/0/name`;
    /// the empty string is the whole value.
    public var path: String
    /// What is wrong, in words suitable for a log line or a repair prompt.
    public var message: String
    public var kind: Kind

    public init(path: String, message: String, kind: Kind = .invalidValue) {
        self.path = path
        self.message = message
        self.kind = kind
    }

    public var description: String { "\(path.isEmpty ? "(root)" : path): \(message)" }
}
