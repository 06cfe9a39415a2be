import FuzzSupport
import NeuroLinkProviders

/// What a parser made of a body: the events, whether an event was left open, and whether a line
/// was too long.
struct SSEOutcome: Equatable {
    var events: [SSEEvent] = []
    var partial = false
    var lineTooLong = false
}

func parse(_ pieces: [[UInt8]], maxLineBytes: Int) -> SSEOutcome {
    var parser = SSEParser(maxLineBytes: maxLineBytes)
    var outcome = SSEOutcome()
    for piece in pieces {
        do { try parser.feed(piece, into: &outcome.events) } catch {
            outcome.lineTooLong = true
            return outcome
        }
    }
    outcome.partial = parser.hasPartialEvent
    return outcome
}

/// The longest line of `bytes`, lines ending in CR, LF or CRLF.
func longestLine(_ bytes: [UInt8]) -> Int {
    bytes.split(omittingEmptySubsequences: true) { $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\r") }
        .map(\.count).max() ?? 0
}

/// The most data bytes of one event in `bytes`, counting an event the body leaves open (two line
/// ends after the body dispatch it).
func largestEventData(_ bytes: [UInt8]) -> Int {
    parse([bytes + Array("\n\n".utf8)], maxLineBytes: .max).events.map(\.data.count).max() ?? 0
}

/// The SSE parser: the same events however the body is cut, and a line limit that never fires
/// for a body whose lines and events all fit.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSSEParser(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = FuzzInput(data, size)
    let body = input.payload
    let pieces = input.pieces(of: body)
    let whole = parse([body], maxLineBytes: 8 << 20)
    let split = parse(pieces, maxLineBytes: 8 << 20)
    invariant(whole == split, "cut body parsed differently: whole \(whole), cut \(split)")
    // The limit bounds what is buffered of an unfinished line, so it may or may not fire for a long
    // line that arrives whole; but it must never fire when every line and every event's data fits.
    let limit = 16
    let limited = parse(pieces, maxLineBytes: limit)
    if limited.lineTooLong {
        invariant(
            longestLine(body) > limit || largestEventData(body) > limit,
            "line limit \(limit) fired, but every line and every event's data is shorter"
        )
    } else {
        invariant(limited == split, "a line limit that did not fire changed the events")
    }
    return 0
}
