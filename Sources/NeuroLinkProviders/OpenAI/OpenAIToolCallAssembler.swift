/// The tool calls of one OpenAI-style answer as their deltas arrive: `id` and `name` once, the JSON
/// `arguments` in fragments, all keyed by the server's `index`.
///
/// Fragments are appended in place, never through a copy of the call, so assembling `n` bytes costs
/// O(n) however many fragments they come in (a copy per fragment made it O(n²)). The index is the
/// server's number: at most ``maxCalls`` distinct ones are accepted, so a stream of fresh indices
/// cannot grow the table without end.
struct OpenAIToolCallAssembler {
    /// The most distinct tool-call indices one answer may open.
    static let maxCalls = 256

    struct Call: Sendable, Hashable {
        var id = ""
        var name = ""
        var arguments = ""
    }

    private var calls: [Int: Call] = [:]

    var isEmpty: Bool { calls.isEmpty }

    /// Adds one delta; `false` (and nothing added) when it would open a call beyond ``maxCalls``.
    mutating func add(index: Int, id: String?, name: String?, arguments: String?) -> Bool {
        if calls[index] == nil {
            guard calls.count < Self.maxCalls else { return false }
            calls[index] = Call()
        }
        // Mutated through the dictionary's accessor: each string is appended in place.
        if let id { calls[index]?.id = id }
        if let name { calls[index]?.name += name }
        if let arguments { calls[index]?.arguments += arguments }
        return true
    }

    /// The calls in index order; the assembler is empty afterwards.
    mutating func takeAll() -> [Call] {
        defer { calls = [:] }
        return calls.keys.sorted().compactMap { calls[$0] }
    }
}
