import FuzzSupport
import NeuroLinkProviders

/// What the framing decoder made of a body.
struct EventStreamOutcome: Equatable {
    var messages: [EventStreamMessage] = []
    var partial = false
    var error: EventStreamError?
}

func decode(_ pieces: [[UInt8]], maxMessageBytes: Int) -> EventStreamOutcome {
    var decoder = EventStreamDecoder(maxMessageBytes: maxMessageBytes)
    var outcome = EventStreamOutcome()
    for piece in pieces {
        do { outcome.messages += try decoder.feed(piece) } catch {
            outcome.error = error
            return outcome
        }
    }
    outcome.partial = decoder.hasPartialMessage
    return outcome
}

/// AWS event-stream framing: raw bytes, or (alternate mode) messages the harness frames with
/// correct lengths and CRCs from a binary description (see `EventStreamFraming.messages(fromBinary:)`),
/// with the default size limit and a tiny one, cut as the input says.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzEventStreamDecoder(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = FuzzInput(data, size)
    let body = input.alternateMode ? EventStreamFraming.messages(fromBinary: input.payload) : input.payload
    let pieces = input.pieces(of: body)
    for limit in [EventStreamDecoder.defaultMaxMessageBytes, 48] {
        let whole = decode([body], maxMessageBytes: limit)
        let cut = decode(pieces, maxMessageBytes: limit)
        // A read is refused at its first bad message, with the good ones before it in that read:
        // so only the error, or on success the messages, must agree.
        invariant(whole.error == cut.error, "limit \(limit): cut body failed differently: whole \(whole), cut \(cut)")
        if whole.error == nil {
            invariant(whole == cut, "limit \(limit): cut body decoded differently: whole \(whole), cut \(cut)")
        }
    }
    if input.alternateMode {
        checkRoundTrip(spec: input.payload, body: body)
    }
    return 0
}

/// Messages the harness framed itself have correct CRCs and lengths: the decoder must return
/// exactly their payloads, or reject a header block as malformed.
func checkRoundTrip(spec: [UInt8], body: [UInt8]) {
    let outcome = decode([body], maxMessageBytes: EventStreamDecoder.defaultMaxMessageBytes)
    switch outcome.error {
    case nil:
        invariant(!outcome.partial, "a complete body left a partial message")
        invariant(outcome.messages.map(\.payload) == payloads(spec), "decoded payloads differ from the framed ones")
    case .malformed?:
        break
    case let other?:
        invariant(false, "a correctly framed body was refused: \(other)")
    }
}

/// The payloads `EventStreamFraming.messages(fromBinary:)` frames from `spec`.
func payloads(_ spec: [UInt8]) -> [[UInt8]] {
    var reader = spec[...]
    var result: [[UInt8]] = []
    while let headersLength = reader.popFirst() {
        reader = reader.dropFirst(Int(headersLength))
        let high = Int(reader.popFirst() ?? 0)
        let low = Int(reader.popFirst() ?? 0)
        let payload = Array(reader.prefix(high << 8 | low))
        reader = reader.dropFirst(payload.count)
        result.append(payload)
    }
    return result
}
