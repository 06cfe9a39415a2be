/// A match chosen at one scan position.
struct PIIMatch {
    let kind: PIIKind
    /// Bytes from the position that certainly belong to the match.
    let length: Int
    /// For open-ended matches, how the match goes on after `length` bytes.
    let continuation: PIIContinuation?
}

/// Runs the enabled detectors at one position and picks the match.
///
/// Choice rule: an open-ended match (private key, JWT, API keys with variable length) wins as soon
/// as its prefix is proven, first in ``PIIKind`` order; otherwise the longest fixed-length match
/// wins, ties going to the kind declared first.
struct PIIDetectorSet: Sendable {
    let rules: CompiledRedactionRules

    /// Whether any detector can start at a byte, given the byte before it.
    ///
    /// The cheap filter that lets plain text through without running detectors: only `-` (a PEM
    /// BEGIN line needs no boundary) and letters, digits, `+ ( : _ %` that do not follow a letter
    /// or digit are examined. Inside words and in non-ASCII text nothing is.
    @inline(__always)
    static func mayStart(_ byte: UInt8, after previous: UInt8?) -> Bool {
        switch byte {
        case PIIBytes.hyphen:
            return true
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "a")...UInt8(ascii: "z"), PIIBytes.plus, PIIBytes.openParenthesis, PIIBytes.colon,
            PIIBytes.underscore, PIIBytes.percent:
            return !PIIBytes.isAlphanumeric(previous)
        default:
            return false
        }
    }

    /// The match at the window's position, if any.
    func match(in window: PIIScanWindow) throws(PIINeedMoreInput) -> PIIMatch? {
        let first = window.bytes[window.start]
        if let openEnded = try openEndedMatch(in: window, first: first) { return openEnded }
        var best = Longest()
        if first == UInt8(ascii: "A") {
            try best.consider(.googleAPIKey, enabled: rules, APIKeyDetectors.googleAPIKey(window))
            try best.consider(.awsAccessKeyID, enabled: rules, APIKeyDetectors.awsAccessKeyID(window))
        }
        if EmailDetector.isLocalByte(first) {
            try best.consider(.email, enabled: rules, EmailDetector.match(window))
        }
        if PIIBytes.isUpper(first) {
            try best.consider(.iban, enabled: rules, IBANDetector.match(window))
        }
        if PIIBytes.isDigit(first) {
            try best.consider(.card, enabled: rules, CardDetector.match(window))
            try best.consider(.ssn, enabled: rules, SSNDetector.match(window))
        }
        if PIIBytes.isDigit(first) || first == PIIBytes.plus || first == PIIBytes.openParenthesis {
            try best.consider(.phone, enabled: rules, PhoneDetector.match(window))
        }
        if PIIBytes.isHexDigit(first) || first == PIIBytes.colon {
            try best.consider(.ipv6, enabled: rules, IPv6Detector.match(window))
        }
        if PIIBytes.isDigit(first) {
            try best.consider(.ipv4, enabled: rules, IPv4Detector.match(window))
        }
        return best.match
    }

    private func openEndedMatch(in window: PIIScanWindow, first: UInt8) throws(PIINeedMoreInput) -> PIIMatch? {
        switch first {
        case PIIBytes.hyphen:
            guard rules.isEnabled(.privateKey), let length = try PrivateKeyDetector.beginLine(window) else { break }
            return PIIMatch(kind: .privateKey, length: length, continuation: PIIContinuation(.privateKeyBlock))
        case UInt8(ascii: "e"):
            guard rules.isEnabled(.jwt), let length = try JSONWebTokenDetector.prefix(window) else { break }
            return PIIMatch(kind: .jwt, length: length, continuation: PIIContinuation(.jsonWebToken))
        case UInt8(ascii: "s"):
            let keyRun = PIIContinuation(.run(.base64URL))
            if rules.isEnabled(.anthropicKey), let length = try APIKeyDetectors.anthropicKeyPrefix(window) {
                return PIIMatch(kind: .anthropicKey, length: length, continuation: keyRun)
            }
            if rules.isEnabled(.openaiKey), let length = try APIKeyDetectors.openAIKeyPrefix(window) {
                return PIIMatch(kind: .openaiKey, length: length, continuation: keyRun)
            }
        case UInt8(ascii: "g"):
            guard rules.isEnabled(.githubToken), let token = try APIKeyDetectors.githubTokenPrefix(window) else {
                break
            }
            let alphabet: PIIContinuation.Alphabet = token.fineGrained ? .word : .alphanumeric
            return PIIMatch(kind: .githubToken, length: token.length, continuation: PIIContinuation(.run(alphabet)))
        default:
            break
        }
        return nil
    }

    /// The longest fixed-length match seen so far; earlier kinds win ties.
    private struct Longest {
        var match: PIIMatch?

        mutating func consider(
            _ kind: PIIKind,
            enabled rules: CompiledRedactionRules,
            _ length: @autoclosure () throws(PIINeedMoreInput) -> Int?
        ) throws(PIINeedMoreInput) {
            guard rules.isEnabled(kind), let length = try length(), length > (match?.length ?? 0) else { return }
            match = PIIMatch(kind: kind, length: length, continuation: nil)
        }
    }
}
