/// A configured limit that can also say "no limit", so an override can lift a preset's limit.
public enum LimitSetting<Value: Sendable & Hashable>: Sendable, Hashable {
    case unlimited
    case limit(Value)

    /// The limit, or `nil` when unlimited.
    public var value: Value? {
        if case .limit(let value) = self { return value }
        return nil
    }
}

extension LimitSetting: ExpressibleByIntegerLiteral where Value == Int {
    public init(integerLiteral value: Int) {
        self = .limit(value)
    }
}
