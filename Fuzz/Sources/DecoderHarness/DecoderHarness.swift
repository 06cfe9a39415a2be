import FuzzSupport
import NeuroLinkProtocol
import NeuroLinkProviders

/// What a decoder made of a whole body: its events, and the error that ended it, if any.
public struct DecodeOutcome: Equatable {
    public enum Stage: Equatable { case decode, finish }

    public var events: [ProviderEvent] = []
    public var failure: (stage: Stage, error: RPCError)?

    public var succeeded: Bool { failure == nil }

    public static func == (lhs: DecodeOutcome, rhs: DecodeOutcome) -> Bool {
        lhs.events == rhs.events && lhs.failure?.stage == rhs.failure?.stage
            && lhs.failure?.error == rhs.failure?.error
    }
}

/// How far a decoder's result may depend on where its body was cut.
public enum SplitInvariance {
    /// Same events and same error however the body is cut (SSE and NDJSON decoders).
    case exact
    /// Event-stream framing rejects a whole read at its first bad message, dropping the good
    /// messages before it in the same read; so only success or failure, and on success the events,
    /// must agree.
    case sameOutcome
    /// As ``sameOutcome``, but the decoder stops reading once the answer is complete (Bedrock):
    /// a bad message after the end fails a body only when it shares a read with the end. So a body
    /// that succeeds whole must succeed, with the same events, however it is cut.
    case wholeSuccessImpliesSplitSuccess
}

/// Feeds `pieces` to a fresh decoder as the daemon does (one `decode` per received piece, then
/// `finish` once the body ended; nothing after the first error).
public func decode(_ pieces: [[UInt8]], with makeDecoder: () -> any ProviderStreamDecoder) -> DecodeOutcome {
    var decoder = makeDecoder()
    var outcome = DecodeOutcome()
    do {
        for piece in pieces { try decoder.decode(piece, into: &outcome.events) }
    } catch {
        outcome.failure = (.decode, error)
        return outcome
    }
    do { try decoder.finish(into: &outcome.events) } catch { outcome.failure = (.finish, error) }
    return outcome
}

/// Decodes `body` in one piece and cut as `input` says, and checks that the results agree.
public func checkDecoder(
    body: [UInt8],
    input: FuzzInput,
    invariance: SplitInvariance,
    _ makeDecoder: () -> any ProviderStreamDecoder
) {
    let whole = decode(body.isEmpty ? [] : [body], with: makeDecoder)
    let split = decode(input.pieces(of: body), with: makeDecoder)
    switch invariance {
    case .exact:
        invariant(whole == split, "cut body decoded differently: whole \(whole), cut \(split)")
    case .sameOutcome:
        invariant(whole.succeeded == split.succeeded, "cut body decoded differently: whole \(whole), cut \(split)")
        if whole.succeeded { invariant(whole.events == split.events, "cut body gave other events") }
    case .wholeSuccessImpliesSplitSuccess:
        if whole.succeeded { invariant(whole == split, "cut body decoded differently: whole \(whole), cut \(split)") }
    }
}
