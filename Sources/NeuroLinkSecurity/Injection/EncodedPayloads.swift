/// How a hidden payload was carried; the prefix of the rule ids found inside it.
enum PayloadCarrier: String {
    case base64
    case hex
    case percent
    case tags
    case selectors
    case rot13
    case reversed

    /// Whether the carrier is an encoding the scorer reports with its own obfuscation signal
    /// (tags and selectors already have census signals).
    var hasPayloadSignal: Bool { self != .tags && self != .selectors }
}

/// A block that decoded to readable text.
struct EncodedPayload {
    let carrier: PayloadCarrier
    let text: String
}

/// Finds base64, hex and percent-encoded blocks and decodes those that turn out to be text.
///
/// Images, keys, hashes and certificates decode to bytes that are not text and are dropped, so
/// only disguised text goes on to be scored. Work is bounded: at most `maximumCandidates`
/// blocks are decoded, each from its first `maximumDecodedBytes` bytes, and at most
/// `maximumDecodedTotal` bytes of text are returned.
struct EncodedPayloadFinder {
    let limits: DecodingLimits

    func payloads(in text: String) -> [EncodedPayload] {
        var text = text
        return text.withUTF8 { bytes in
            var collector = Collector(limits: limits)
            findBase64(in: bytes, collector: &collector)
            findHex(in: bytes, collector: &collector)
            return collector.payloads
        }
    }

    /// Accepts decoded blocks until the limits are reached.
    private struct Collector {
        let limits: DecodingLimits
        var payloads: [EncodedPayload] = []
        var candidates = 0
        var decodedTotal = 0

        var isFull: Bool { candidates >= limits.maximumCandidates || decodedTotal >= limits.maximumDecodedTotal }

        mutating func offer(_ decoded: [UInt8], carrier: PayloadCarrier) {
            candidates += 1
            guard let text = ReadableText.decode(decoded) else { return }
            decodedTotal += decoded.count
            payloads.append(EncodedPayload(carrier: carrier, text: text))
        }
    }

    // MARK: base64

    private func findBase64(in bytes: UnsafeBufferPointer<UInt8>, collector: inout Collector) {
        var index = 0
        while index < bytes.count, !collector.isFull {
            guard Base64.value(of: bytes[index]) != nil else {
                index += 1
                continue
            }
            let run = Base64.runEnd(in: bytes, from: index)
            if run.symbols >= limits.minimumBase64Length {
                let decoded = Base64.decode(bytes[index..<run.end], limit: limits.maximumDecodedBytes)
                collector.offer(decoded, carrier: .base64)
            }
            index = run.end
        }
    }

    // MARK: hex and percent

    private func findHex(in bytes: UnsafeBufferPointer<UInt8>, collector: inout Collector) {
        var index = 0
        while index < bytes.count, !collector.isFull {
            let byte = bytes[index]
            let startsWord = index == 0 || !Hex.isWordByte(bytes[index - 1])
            if startsWord, Hex.canStart(byte),
                let run = Hex.run(
                    in: bytes,
                    from: index,
                    limit: limits.maximumDecodedBytes,
                    minimumBytes: limits.minimumHexBytes
                )
            {
                if run.bytes.count >= limits.minimumHexBytes {
                    collector.offer(run.bytes, carrier: run.isPercent ? .percent : .hex)
                }
                index = max(run.end, index + 1)
                continue
            }
            index += 1
            // No run starts inside a word: skip the rest of it.
            if Hex.isWordByte(byte) {
                while index < bytes.count, Hex.isAlphanumeric(bytes[index]) { index += 1 }
            }
        }
    }
}

/// Base64 in the standard and URL-safe alphabets, with or without padding.
enum Base64 {
    static func value(of byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): return byte - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): return byte - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0") + 52
        case UInt8(ascii: "+"), UInt8(ascii: "-"): return 62
        case UInt8(ascii: "/"), UInt8(ascii: "_"): return 63
        default: return nil
        }
    }

    /// End of the base64 run starting at `start` (line breaks inside long runs belong to it, as
    /// in wrapped MIME or PEM blocks) and the number of base64 symbols in it; padding is skipped.
    static func runEnd(in bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> (end: Int, symbols: Int) {
        var index = start
        var symbols = 0
        var lineSymbols = 0
        while index < bytes.count {
            let byte = bytes[index]
            if value(of: byte) != nil {
                symbols += 1
                lineSymbols += 1
                index += 1
            } else if byte == 0x0A || byte == 0x0D, lineSymbols >= 40, index + 1 < bytes.count,
                value(of: bytes[index + 1]) != nil || bytes[index + 1] == 0x0A
            {
                lineSymbols = 0
                index += 1
            } else {
                break
            }
        }
        var padding = 0
        while padding < 2, index < bytes.count, bytes[index] == UInt8(ascii: "=") {
            padding += 1
            index += 1
        }
        return (index, symbols)
    }

    /// Decodes up to `limit` bytes; line breaks are skipped, a dangling sixth of a byte dropped.
    static func decode<Symbols: Collection>(_ symbols: Symbols, limit: Int) -> [UInt8] where Symbols.Element == UInt8 {
        var output: [UInt8] = []
        output.reserveCapacity(min(symbols.count * 3 / 4, limit))
        var buffer: UInt32 = 0
        var bits = 0
        for byte in symbols {
            guard let sixBits = value(of: byte) else { continue }
            buffer = (buffer << 6) | UInt32(sixBits)
            bits += 6
            if bits >= 8 {
                bits -= 8
                output.append(UInt8(truncatingIfNeeded: buffer >> UInt32(bits)))
                buffer &= (1 << UInt32(bits)) - 1
                if output.count >= limit { break }
            }
        }
        return output
    }
}

/// Hex byte runs: `69676e6f7265`, `69 67 6e`, `69:67:6e`, `\x69\x67`, `0x69, 0x67`, `%69%67`.
enum Hex {
    struct Run {
        var bytes: [UInt8]
        var end: Int
        var isPercent: Bool
    }

    /// What may stand before each byte of a run.
    private enum Prefix: Int {
        case none = 0
        case percent = 1
        case backslashX = 2
        case zeroX = 3

        var length: Int { rawValue == 3 ? 2 : rawValue }
    }

    /// What may stand after each byte; one run uses one kind throughout.
    private enum Separator: Equatable {
        case none
        case single(UInt8)
        case commaSpace

        var length: Int {
            switch self {
            case .none: return 0
            case .single: return 1
            case .commaSpace: return 2
            }
        }
    }

    static func digit(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    /// ASCII letters, digits and the backslash (which starts `\x` escapes), one bit per byte.
    private static let wordBytes: UInt128 = 0x07ff_fffe_17ff_fffe_03ff_0000_0000_0000
    /// ASCII letters and digits.
    private static let alphanumericBytes: UInt128 = 0x07ff_fffe_07ff_fffe_03ff_0000_0000_0000

    static func isWordByte(_ byte: UInt8) -> Bool {
        byte < 128 && wordBytes & (1 << UInt128(byte)) != 0
    }

    static func isAlphanumeric(_ byte: UInt8) -> Bool {
        byte < 128 && alphanumericBytes & (1 << UInt128(byte)) != 0
    }

    /// Whether a run can start with `byte`: a hex digit, a backslash or a percent sign.
    static func canStart(_ byte: UInt8) -> Bool {
        digit(byte) != nil || byte == UInt8(ascii: "\\") || byte == UInt8(ascii: "%")
    }

    /// The run starting at `start`, in one consistent format; nil if none starts there. Runs
    /// shorter than `minimumBytes` are measured but not decoded (`bytes` stays empty).
    static func run(in bytes: UnsafeBufferPointer<UInt8>, from start: Int, limit: Int, minimumBytes: Int = 0) -> Run? {
        let prefix = self.prefix(in: bytes, at: start)
        var measured = Run(bytes: [], end: start, isPercent: prefix == .percent)
        let count = walk(bytes, from: start, prefix: prefix, limit: limit, end: &measured.end) { _ in }
        guard count > 0 else { return nil }
        guard count >= minimumBytes else { return measured }
        measured.bytes.reserveCapacity(count)
        _ = walk(bytes, from: start, prefix: prefix, limit: limit, end: &measured.end) { measured.bytes.append($0) }
        return measured
    }

    /// Reads bytes of one run, handing each to `emit`; returns how many were read.
    private static func walk(
        _ bytes: UnsafeBufferPointer<UInt8>,
        from start: Int,
        prefix: Prefix,
        limit: Int,
        end: inout Int,
        emit: (UInt8) -> Void
    ) -> Int {
        var index = start
        var count = 0
        var separator: Separator?
        while count < limit {
            guard hasPrefix(prefix, in: bytes, at: index) else { break }
            let cursor = index + prefix.length
            guard cursor + 1 < bytes.count, let high = digit(bytes[cursor]), let low = digit(bytes[cursor + 1]) else {
                break
            }
            emit(high << 4 | low)
            count += 1
            index = cursor + 2
            let found = self.separator(in: bytes, at: index)
            if let separator, separator != found { break }
            separator = found
            index += found.length
        }
        end = index
        return count
    }

    private static func prefix(in bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> Prefix {
        guard index + 3 < bytes.count else { return .none }
        let first = bytes[index]
        let second = bytes[index + 1] | 0x20
        let pairFollows = { (offset: Int) -> Bool in
            index + offset + 1 < bytes.count && digit(bytes[index + offset]) != nil
                && digit(bytes[index + offset + 1]) != nil
        }
        if first == UInt8(ascii: "%"), pairFollows(1) { return .percent }
        if first == UInt8(ascii: "\\"), second == UInt8(ascii: "x"), pairFollows(2) { return .backslashX }
        // "0x" is a prefix only when a pair follows; otherwise "0" is a hex digit.
        if first == UInt8(ascii: "0"), second == UInt8(ascii: "x"), pairFollows(2) { return .zeroX }
        return .none
    }

    private static func hasPrefix(_ prefix: Prefix, in bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> Bool {
        guard index + prefix.length <= bytes.count else { return false }
        switch prefix {
        case .none: return true
        case .percent: return bytes[index] == UInt8(ascii: "%")
        case .backslashX: return bytes[index] == UInt8(ascii: "\\") && bytes[index + 1] | 0x20 == UInt8(ascii: "x")
        case .zeroX: return bytes[index] == UInt8(ascii: "0") && bytes[index + 1] | 0x20 == UInt8(ascii: "x")
        }
    }

    /// The separator after a byte: nothing, one space, colon, hyphen or comma, or comma-space.
    private static func separator(in bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> Separator {
        guard index < bytes.count else { return .none }
        switch bytes[index] {
        case UInt8(ascii: ","):
            let hasSpace = index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: " ")
            return hasSpace ? .commaSpace : .single(UInt8(ascii: ","))
        case UInt8(ascii: " "), UInt8(ascii: ":"), UInt8(ascii: "-"):
            return .single(bytes[index])
        default:
            return .none
        }
    }
}

/// Decides whether decoded bytes are readable text worth scoring.
enum ReadableText {
    /// The text, if `bytes` are UTF-8 (a sequence cut at the decode limit is trimmed) made of
    /// at least eight characters, nine in ten of them printable, with spaces or ideographs.
    static func decode(_ bytes: [UInt8]) -> String? {
        guard bytes.count >= 8 else { return nil }
        var end = bytes.count
        var text: String?
        while text == nil, end > bytes.count - 4, end > 0 {
            text = String(validating: bytes[0..<end], as: UTF8.self)
            end -= 1
        }
        guard let text else { return nil }
        var printable = 0
        var total = 0
        var spaces = 0
        var ideographs = 0
        for scalar in text.unicodeScalars {
            total += 1
            if scalar == " " { spaces += 1 }
            if ScalarKind.isIdeographic(scalar.value) { ideographs += 1 }
            if isPrintable(scalar) { printable += 1 }
        }
        guard total >= 8, printable * 10 >= total * 9, spaces >= 1 || ideographs >= 4 else { return nil }
        return text
    }

    private static func isPrintable(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09, 0x0A, 0x0D: return true
        case 0x00..<0x20, 0x7F..<0xA0, 0xFFFD: return false
        default: return scalar.properties.generalCategory != .unassigned
        }
    }
}
