/// JSON Web Tokens: `eyJ` (base64url of `{"`) and 4–240 more base64url bytes, a dot, and `eyJ`
/// again. That prefix proves the match; the rest of the token (payload, signature and, for
/// encrypted tokens, up to five segments in all) is swallowed by a ``PIIContinuation``: base64url
/// bytes, and dots that are followed by a base64url byte.
///
/// Not caught: tokens whose header exceeds 240 bytes, encrypted tokens whose second segment is not
/// JSON, tokens right after a letter, digit, `_`, `-` or `.`. The empty signature of an unsigned
/// token leaves its final `.` in the text.
enum JSONWebTokenDetector {
    static let minimumHeaderBody = 4
    static let maximumHeaderBody = 240

    /// The length of the proven prefix (`eyJ…` `.eyJ`), if there is one.
    static func prefix(_ window: PIIScanWindow) throws(PIINeedMoreInput) -> Int? {
        let previous = window.previous
        guard !PIIBytes.isBase64URL(previous), previous != PIIBytes.dot, try window.matches("eyJ", at: 0) else {
            return nil
        }
        let header = try window.run(from: 3, limit: maximumHeaderBody + 1, while: PIIBytes.isBase64URL)
        guard header >= minimumHeaderBody, header <= maximumHeaderBody else { return nil }
        let dot = 3 + header
        guard try window.byte(dot) == PIIBytes.dot, try window.matches("eyJ", at: dot + 1) else { return nil }
        return dot + 4
    }
}
