/// One fuzzer input as the harnesses read it: a control byte, then the payload.
///
/// The control byte lets the fuzzer choose how the payload is cut into the pieces a decoder
/// receives (as a socket or an HTTP body delivers it), and, for harnesses with two input modes,
/// which one to use. An empty input is an empty payload.
public struct FuzzInput {
    /// The bytes after the control byte.
    public let payload: [UInt8]
    /// Bit 0 of the control byte: harnesses with two modes (raw wire bytes, or a structure the
    /// harness frames itself) use it to choose.
    public let alternateMode: Bool
    /// The rest of the control byte: how to cut the payload (see ``pieces(of:)``).
    public let splitSeed: UInt8

    public init(_ data: UnsafePointer<UInt8>?, _ size: Int) {
        let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
        let control = bytes.first ?? 0
        payload = Array(bytes.dropFirst())
        alternateMode = control & 1 == 1
        splitSeed = control >> 1
    }

    /// `bytes` cut into consecutive pieces chosen by ``splitSeed``: every byte alone, or pieces of
    /// up to 2, 8 or 64 bytes, with an occasional empty piece. Joined, they are `bytes` again.
    public func pieces(of bytes: [UInt8]) -> [[UInt8]] {
        let longest = [1, 2, 8, 64][Int(splitSeed & 3)]
        var random = SplitRandom(seed: UInt32(splitSeed >> 2))
        var pieces: [[UInt8]] = []
        var start = 0
        while start < bytes.count {
            if random.next() % 16 == 0 { pieces.append([]) }
            let length = min(1 + Int(random.next() % UInt32(longest)), bytes.count - start)
            pieces.append(Array(bytes[start..<start + length]))
            start += length
        }
        return pieces
    }
}

/// xorshift32: a deterministic stream of split lengths from a few bits of seed.
struct SplitRandom {
    private var state: UInt32

    init(seed: UInt32) {
        state = seed &* 0x9E37_79B1 | 1
    }

    mutating func next() -> UInt32 {
        state ^= state << 13
        state ^= state >> 17
        state ^= state << 5
        return state
    }
}

/// Stops the fuzzer with `message` when an invariant of the code under test does not hold.
///
/// Only harnesses trap: libFuzzer reports the trap as a crash and saves the input.
public func invariant(
    _ condition: @autoclosure () -> Bool,
    _ message: @autoclosure () -> String,
    file: StaticString = #fileID,
    line: UInt = #line
) {
    guard !condition() else { return }
    fatalError("invariant violated: \(message())", file: file, line: line)
}
