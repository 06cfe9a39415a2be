/// API keys and tokens.
///
/// None may start right after a letter, digit, `_` or `-` (so `task-…` or `mysk-…` never match).
/// Keys whose length varies are open-ended: once a fixed-length prefix proves the match, the rest
/// of the key (every following byte of the key's alphabet) is swallowed by a ``PIIContinuation``
/// without being buffered.
///
/// - OpenAI `sk-…` and Anthropic `sk-ant-…` (both cover `sk-proj-`, `sk-svcacct-`, `sk-ant-api03-`
///   and the like): proven by 32 base64url bytes after `sk-` (resp. `sk-ant-`) that look random,
///   i.e. hold a digit, or both an upper- and a lower-case letter. Not caught: keys with shorter
///   bodies, or whose first 32 body bytes hold no digit and only one letter case (that is a slug
///   such as `sk-learn-…`, not a key). A Title-Case hyphenated slug of that length is redacted.
/// - GitHub: `ghp_`, `gho_`, `ghu_`, `ghs_`, `ghr_` and 36 letters or digits; `github_pat_` and 22
///   letters, digits or `_`. Open-ended (longer tokens are swallowed whole).
/// - Google API keys: `AIza` and exactly 35 base64url bytes, not followed by another.
/// - AWS access key ids: `AKIA` or `ASIA` and exactly 16 upper-case letters or digits, not
///   followed by a letter, digit or `_`. Not caught: other AWS id prefixes (`AIDA`, `AROA`, …) and
///   secret access keys (40 base64 bytes with no marker).
enum APIKeyDetectors {
    static let randomBodyLength = 32
    static let githubClassicBodyLength = 36
    static let githubFineGrainedBodyLength = 22
    static let googleBodyLength = 35
    static let awsBodyLength = 16

    @inline(__always)
    private static func mayStart(_ window: PIIScanWindow) -> Bool {
        !PIIBytes.isBase64URL(window.previous)
    }

    /// `sk-ant-` and a random-looking body: the length of the proven prefix.
    static func anthropicKeyPrefix(_ window: PIIScanWindow) throws(PIINeedMoreInput) -> Int? {
        guard mayStart(window), try window.matches("sk-ant-", at: 0),
            try hasRandomBody(window, at: 7)
        else { return nil }
        return 7 + randomBodyLength
    }

    /// `sk-` and a random-looking body: the length of the proven prefix.
    static func openAIKeyPrefix(_ window: PIIScanWindow) throws(PIINeedMoreInput) -> Int? {
        guard mayStart(window), try window.matches("sk-", at: 0),
            try hasRandomBody(window, at: 3)
        else { return nil }
        return 3 + randomBodyLength
    }

    /// `gh?_` and 36 letters or digits, or `github_pat_` and 22 word bytes: the proven prefix.
    static func githubTokenPrefix(_ window: PIIScanWindow) throws(PIINeedMoreInput) -> (length: Int, fineGrained: Bool)?
    {
        guard mayStart(window) else { return nil }
        if try window.matches("github_pat_", at: 0) {
            let body = try window.run(from: 11, limit: githubFineGrainedBodyLength, while: PIIBytes.isWord)
            return body == githubFineGrainedBodyLength ? (11 + body, true) : nil
        }
        guard try window.matches("gh", at: 0), try window.byte(3) == PIIBytes.underscore else { return nil }
        switch try window.byte(2) {
        case UInt8(ascii: "p"), UInt8(ascii: "o"), UInt8(ascii: "u"), UInt8(ascii: "s"), UInt8(ascii: "r"): break
        default: return nil
        }
        let body = try window.run(from: 4, limit: githubClassicBodyLength, while: PIIBytes.isAlphanumeric)
        return body == githubClassicBodyLength ? (4 + body, false) : nil
    }

    /// `AIza` and exactly 35 base64url bytes.
    static func googleAPIKey(_ window: PIIScanWindow) throws(PIINeedMoreInput) -> Int? {
        guard mayStart(window), try window.matches("AIza", at: 0) else { return nil }
        let body = try window.run(from: 4, limit: googleBodyLength + 1, while: PIIBytes.isBase64URL)
        return body == googleBodyLength ? 4 + body : nil
    }

    /// `AKIA` or `ASIA` and exactly 16 upper-case letters or digits.
    static func awsAccessKeyID(_ window: PIIScanWindow) throws(PIINeedMoreInput) -> Int? {
        let isAccessKey = try window.matches("AKIA", at: 0)
        let isSessionKey = try window.matches("ASIA", at: 0)
        guard mayStart(window), isAccessKey || isSessionKey else { return nil }
        let body = try window.run(from: 4, limit: awsBodyLength, while: PIIBytes.isUpperOrDigit)
        guard body == awsBodyLength, !PIIBytes.isWord(try window.byte(4 + body)) else { return nil }
        return 4 + body
    }

    /// Whether the 32 bytes at `offset` are base64url and hold a digit or both letter cases.
    private static func hasRandomBody(_ window: PIIScanWindow, at offset: Int) throws(PIINeedMoreInput) -> Bool {
        var hasDigit = false
        var hasUpper = false
        var hasLower = false
        for index in offset..<(offset + randomBodyLength) {
            let byte = try window.byte(index)
            guard PIIBytes.isBase64URL(byte) else { return false }
            hasDigit = hasDigit || PIIBytes.isDigit(byte)
            hasUpper = hasUpper || PIIBytes.isUpper(byte)
            hasLower = hasLower || PIIBytes.isLower(byte)
        }
        return hasDigit || (hasUpper && hasLower)
    }
}
