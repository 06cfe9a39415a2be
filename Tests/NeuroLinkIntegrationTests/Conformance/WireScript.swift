import Foundation

/// One provider-independent answer, rendered into each provider's exact wire format so the same
/// scenario can be replayed through every adapter.
struct WireScript: Sendable {
    var pieces: [String]
    var reasoning: [String] = []
    var toolCall: ToolCallScript?
    /// Normalised finish reason: `stop`, `length` or `tool_calls`.
    var finish: String = "stop"
    var usage: (input: Int, output: Int) = (11, 7)
    /// Input plus output, saturating: tests send counts up to `Int.max`.
    var usageTotal: Int {
        let (sum, overflow) = usage.input.addingReportingOverflow(usage.output)
        return overflow ? (usage.output > 0 ? .max : .min) : sum
    }
    /// Ends the body right after this many text pieces with the provider's in-stream error.
    var inStreamErrorAfter: Int?

    struct ToolCallScript: Sendable {
        var id: String
        var name: String
        /// The JSON arguments, streamed in these fragments where the provider streams them.
        var fragments: [String]
        var arguments: String { fragments.joined() }
    }
}

/// Renders a ``WireScript`` as the byte stream one provider type sends.
protocol WireRenderer: Sendable {
    /// The config `type:` of the provider under test.
    var providerType: String { get }
    /// Extra config lines for the provider entry (indented by 4 spaces).
    var extraConfig: String { get }
    func render(_ script: WireScript, model: String) -> String
    /// The body as bytes; binary formats (Bedrock's event stream) implement this instead of `render`.
    func renderBytes(_ script: WireScript, model: String) -> [UInt8]
    /// Extra environment for the daemon (credentials the provider type reads from it).
    var environment: [String: String] { get }
}

extension WireRenderer {
    var extraConfig: String { "" }
    var environment: [String: String] { [:] }
    func renderBytes(_ script: WireScript, model: String) -> [UInt8] { Array(render(script, model: model).utf8) }
}

func json(_ object: Any) -> String {
    let data = (try? JSONSerialization.data(withJSONObject: object, options: [.withoutEscapingSlashes])) ?? Data()
    return String(decoding: data, as: UTF8.self)
}

/// Splits bytes into pieces of `size`, cutting through frames and UTF-8 sequences alike.
func split(_ text: String, every size: Int) -> [[UInt8]] {
    split(Array(text.utf8), every: size)
}

/// Splits bytes into pieces of `size`.
func split(_ bytes: [UInt8], every size: Int) -> [[UInt8]] {
    stride(from: 0, to: bytes.count, by: size).map { Array(bytes[$0..<min($0 + size, bytes.count)]) }
}
