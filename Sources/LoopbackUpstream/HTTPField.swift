/// A single HTTP header field, as configured for a ``Scenario`` response.
public struct HTTPField: Sendable, Hashable {
    /// The header name, e.g. `retry-after`.
    public var name: String
    /// The header value.
    public var value: String

    /// Creates a header field.
    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}
