import NeuroLinkProtocol

/// What a model costs, in US dollars per million tokens.
public struct ModelPrice: Sendable, Hashable, Codable {
    public var input: Double
    public var output: Double
    /// Input tokens read from the provider's prompt cache; `input` when the provider has no such price.
    public var cachedInput: Double?

    public init(input: Double, output: Double, cachedInput: Double? = nil) {
        self.input = input
        self.output = output
        self.cachedInput = cachedInput
    }

    /// The cost of `usage` in US dollars. Cached input tokens are part of `inputTokens` (every
    /// adapter reports them so) and are charged at the cached price.
    public func cost(of usage: Usage) -> Double {
        let cached = min(usage.cachedInputTokens ?? 0, usage.inputTokens)
        let uncached = usage.inputTokens - cached
        let dollars =
            Double(uncached) * input + Double(cached) * (cachedInput ?? input) + Double(usage.outputTokens) * output
        return dollars / 1_000_000
    }

    /// Whether every price is a finite, non-negative number (config and the shipped table are checked).
    var isValid: Bool {
        [input, output, cachedInput ?? 0].allSatisfy { $0.isFinite && $0 >= 0 }
    }
}
