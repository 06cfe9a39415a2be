import NeuroLinkBasics

/// A count a provider reports (tokens, mostly), decoded leniently: any JSON number is accepted and
/// clamped to `0...Int.max`. Fractions are rounded down, negative numbers give 0 and numbers beyond
/// `Int.max` (`1e30`) give `Int.max`. Anything else (a string, `true`) fails to decode, like any
/// other malformed event.
struct TokenCount: Decodable, Sendable, Hashable {
    let value: Int

    init(_ value: Int) {
        self.value = value.nonNegative
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let exact = try? container.decode(Int.self) {
            value = exact.nonNegative
        } else {
            value = Int(saturating: try container.decode(Double.self), rounding: .down).nonNegative
        }
    }
}
