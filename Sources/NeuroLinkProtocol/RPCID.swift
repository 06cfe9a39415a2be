/// A JSON-RPC request id: a number or a string, echoed back verbatim.
public enum RPCID: Sendable, Hashable, Codable, CustomStringConvertible {
    case number(Int64)
    case string(String)

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let n = try? c.decode(Int64.self) {
            self = .number(n)
        } else {
            self = .string(try c.decode(String.self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .number(let n): try c.encode(n)
        case .string(let s): try c.encode(s)
        }
    }

    /// Reads an id from a parsed JSON value; `nil` when the value is not a valid id.
    public init?(json: JSONValue) {
        switch json {
        case .string(let s): self = .string(s)
        case .number:
            guard let i = json.intValue else { return nil }
            self = .number(Int64(i))
        default: return nil
        }
    }

    public var description: String {
        switch self {
        case .number(let n): String(n)
        case .string(let s): s
        }
    }
}
