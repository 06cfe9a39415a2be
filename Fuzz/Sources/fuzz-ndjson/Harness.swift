import FuzzSupport
import NeuroLinkProviders

/// What a splitter made of a body: its lines and unterminated remainder, or that a line was too long.
struct NDJSONOutcome: Equatable {
    var lines: [[UInt8]] = []
    var hadPartialLine = false
    var remainder: [UInt8]?
    var lineTooLong = false
}

func split(_ pieces: [[UInt8]], maxLineBytes: Int) -> NDJSONOutcome {
    var splitter = NDJSONSplitter(maxLineBytes: maxLineBytes)
    var outcome = NDJSONOutcome()
    for piece in pieces {
        do { try splitter.feed(piece, into: &outcome.lines) } catch {
            outcome.lineTooLong = true
            return outcome
        }
    }
    outcome.hadPartialLine = splitter.hasPartialLine
    outcome.remainder = splitter.takeRemainder()
    invariant(splitter.takeRemainder() == nil, "the remainder was handed out twice")
    return outcome
}

/// The NDJSON splitter: the same lines however the body is cut, with its default line limit and
/// with a small one (which it checks on every line, so the outcome must not depend on the cuts).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzNDJSONSplitter(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = FuzzInput(data, size)
    let body = input.payload
    let pieces = input.pieces(of: body)
    for limit in [8 << 20, 16] {
        let whole = split([body], maxLineBytes: limit)
        let cut = split(pieces, maxLineBytes: limit)
        invariant(whole == cut, "limit \(limit): cut body split differently: whole \(whole), cut \(cut)")
        for line in whole.lines {
            invariant(line.count <= limit, "a line longer than the limit was handed out")
            invariant(!line.contains(UInt8(ascii: "\n")), "a line holds a line feed")
        }
        invariant(whole.hadPartialLine == (whole.remainder != nil), "hasPartialLine disagrees with the remainder")
    }
    return 0
}
