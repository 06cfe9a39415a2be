/// Turns a prompt into a unit vector for the semantic tier: the local model
/// (`NeuroLinkEmbedding`) or a provider's embedding endpoint (``ProviderEmbedder``).
public protocol TextEmbedder: Sendable {
    /// The vectors' model, `local` for the built-in one: vectors of different models are never
    /// compared (the semantic tier's scopes are qualified by it).
    var identity: String { get }
    /// The unit-length vector of `text`, or `nil` when it cannot be had within `limit` (busy,
    /// failed, or slow): the caller never waits longer than `limit`, and a `nil` is a miss.
    func embed(_ text: String, waitingAtMost limit: Duration) async -> [Float]?
    /// Ends the work in progress; later calls return `nil`.
    func stop()
}

extension TextEmbedder {
    /// `vector` scaled to unit length, or `nil` for a zero (or non-finite) vector, which can match nothing.
    public static func normalized(_ vector: [Float]) -> [Float]? {
        let norm = vector.reduce(Float(0)) { $0 + $1 * $1 }.squareRoot()
        guard norm.isFinite, norm > 0 else { return nil }
        return vector.map { $0 / norm }
    }
}
