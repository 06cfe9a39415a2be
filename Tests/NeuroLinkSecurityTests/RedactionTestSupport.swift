import NeuroLinkSecurity
import NeuroLinkTestSupport

/// SplitMix64 from NeuroLinkTestSupport: every random test replays the same inputs.
typealias RedactionTestRandom = SeededGenerator

extension SeededGenerator {
    mutating func below(_ bound: Int) -> Int {
        Int(next() % UInt64(bound))
    }

    mutating func chance(_ percent: Int) -> Bool {
        below(100) < percent
    }

    mutating func pick<Element>(_ elements: [Element]) -> Element {
        elements[below(elements.count)]
    }

    mutating func string(length: Int, from alphabet: String) -> String {
        let characters = Array(alphabet)
        return String((0..<length).map { _ in characters[below(characters.count)] })
    }

    mutating func digits(_ count: Int) -> String {
        string(length: count, from: "0123456789")
    }
}

/// Whole-text redaction with the default rules.
func redacted(_ text: String, rules: RedactionRules = .default) -> String {
    Redactor(rules: rules).redact(text).text
}

/// Streams `text` one byte at a time and returns the output and the largest hold-back seen.
func streamedByteByByte(_ text: String, rules: RedactionRules = .default) -> (text: String, maximumHeld: Int) {
    var redactor = StreamingRedactor(rules: rules)
    var output: [UInt8] = []
    var maximumHeld = 0
    for byte in text.utf8 {
        output += redactor.feed(utf8: [byte])
        maximumHeld = max(maximumHeld, redactor.heldByteCount)
    }
    output += redactor.finishUTF8()
    return (String(decoding: output, as: UTF8.self), maximumHeld)
}

/// Sample values that every detector must catch, built from documented formats.
enum SampleSecrets {
    static let base62 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    static let base64URL = base62 + "_-"

    static let openAIKey = "sk-" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8S9t0U1v2W3x4"
    static let openAIProjectKey = "sk-proj-" + "Xy9_Qw-7Zt3Lm2Np8Rs4Tv6Uw1Yx5Za0Bc" + "De3Fg4Hi5Jk6Lm7No8Pq9Rs0Tu1Vw2"
    static let anthropicKey = "sk-ant-api03-" + String(repeating: "aB3dE6gH9jK2mN5pQ8sT1vW4yZ7_-", count: 3) + "AbCdE"
    static let googleKey = "AIza" + "SyDdI0hCZtE6vySjMm-WEfRq3CPzqKqqsHI"
    static let awsKeyID = "AKIAIOSFODNN7EXAMPLE"
    static let githubClassic = "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"
    static let githubFineGrained = "github_pat_" + "11ABCDEFG0123456789abc" + "_" + String(repeating: "xY9z", count: 15)
    static let jwt =
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"
        + ".eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ"
        + ".SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"
    static let privateKeyBlock =
        "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA0Z3VS5JJcds3xfn/ygWyF8PbnGy0AHB7MhgHcTz6sE2I2yPB\n"
        + "aNnHJcBtuBWvdwRx+3dPJvVY2YvQCLxhzGh9D1O8ZwIDAQAB\n-----END RSA PRIVATE KEY-----"
}
