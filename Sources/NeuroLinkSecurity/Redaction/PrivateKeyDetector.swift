/// PEM private key blocks.
///
/// The BEGIN line `-----BEGIN ` + an optional upper-case label ending in a space (`RSA `, `EC `,
/// `OPENSSH `, `ENCRYPTED `, at most 48 bytes with `PRIVATE KEY`) + `PRIVATE KEY-----` proves the
/// match; the block then runs to the end of the first `PRIVATE KEY-----` after it (the END line's
/// tail), swallowed by a ``PIIContinuation`` and never buffered. An unterminated block runs to the
/// end of the text. No boundary is required before the BEGIN line (PEM often follows an escaped
/// `\n`).
///
/// Not caught: PGP blocks (`-----BEGIN PGP PRIVATE KEY BLOCK-----`), keys without PEM armour.
enum PrivateKeyDetector {
    static let maximumLabel = 48

    /// The length of the BEGIN line, if one starts at the window's position.
    static func beginLine(_ window: PIIScanWindow) throws(PIINeedMoreInput) -> Int? {
        guard try window.matches("-----BEGIN ", at: 0) else { return nil }
        let label = try window.run(from: 11, limit: maximumLabel + 1) { byte in
            PIIBytes.isUpperOrDigit(byte) || byte == PIIBytes.space
        }
        guard label >= 11, label <= maximumLabel else { return nil }
        let labelEnd = 11 + label
        guard try window.matches("PRIVATE KEY-----", at: labelEnd - 11) else { return nil }
        if label > 11, try window.byte(labelEnd - 12) != PIIBytes.space { return nil }
        return labelEnd + 5
    }
}
