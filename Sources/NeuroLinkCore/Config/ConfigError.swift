/// A configuration problem, located as precisely as the YAML allows: `file:line:column: key: message`.
public struct ConfigError: Error, Sendable, Hashable, CustomStringConvertible {
    public var file: String?
    public var line: Int?
    public var column: Int?
    /// Dotted key path, e.g. `providers[0].base_url`.
    public var key: String?
    public var message: String

    public init(file: String? = nil, line: Int? = nil, column: Int? = nil, key: String? = nil, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.key = key
        self.message = message
    }

    public var description: String {
        var location = file ?? "<config>"
        if let line { location += ":\(line)" }
        if let column { location += ":\(column)" }
        return [location, key, message].compactMap { $0 }.joined(separator: ": ")
    }
}
