import Logging
import NeuroLinkHTTP
import NeuroLinkLimits
import NeuroLinkProtocol
import NeuroLinkProviders
import NeuroLinkRouting

/// The structured-output side of an answer that has a `schema`: parses the text as it streams,
/// decides when the client gets an `object` chunk, and checks the complete answer at the end.
///
/// Each `object` chunk carries the whole object so far, so sending one per batch would cost
/// O(n²) bytes and parser work over a long answer. One goes out only when the answer grew by half
/// since the last one (and by at least ``minimumGrowthBytes``) or ``maximumInterval`` passed, so
/// the bytes sent stay proportional to the answer; the final object always goes out before
/// `finish`.
struct StructuredOutput {
    static let minimumGrowthBytes = 128
    static let maximumInterval: Duration = .milliseconds(250)

    let schema: JSONValue
    private var parser = PartialJSONParser()
    private var textBytes = 0
    private var bytesAtLastObject = 0
    private var lastObjectAt: ContinuousClock.Instant?
    private var lastObject: JSONValue?

    init(schema: JSONValue) {
        self.schema = schema
    }

    mutating func append(_ piece: String) {
        parser.append(piece)
        textBytes += piece.utf8.count
    }

    /// The object to send now, if the throttle allows one and it changed.
    mutating func objectToSend(now: ContinuousClock.Instant, final: Bool = false) -> JSONValue? {
        guard textBytes > bytesAtLastObject else { return nil }
        let grown = textBytes - bytesAtLastObject
        let due =
            final || grown >= max(Self.minimumGrowthBytes, bytesAtLastObject / 2)
            || lastObjectAt.map { now - $0 >= Self.maximumInterval } ?? true
        guard due, let current = parser.current, current != lastObject else { return nil }
        lastObject = current
        lastObjectAt = now
        bytesAtLastObject = textBytes
        return current
    }

    /// The complete answer parsed strictly and checked against the schema. A failure is reported
    /// in the error, never hidden: the text is still returned as the provider sent it.
    func result() -> (object: JSONValue?, error: String?) {
        let value: JSONValue
        do { value = try parser.finalValue() } catch {
            return (nil, "the answer is not a JSON value: \(error)")
        }
        let violations = SchemaValidator.validate(value, against: schema)
        guard !violations.isEmpty else { return (value, nil) }
        let listed = violations.prefix(10).map(\.description).joined(separator: "; ")
        return (value, "the answer does not match the schema: " + listed)
    }
}
