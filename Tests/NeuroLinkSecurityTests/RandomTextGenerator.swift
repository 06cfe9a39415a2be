import NeuroLinkSecurity
import NeuroLinkTestSupport

/// Builds random texts that mix prose, Unicode, near-misses and valid PII of every kind.
struct RandomTextGenerator {
    var random: RedactionTestRandom

    /// A generated text and the PII values placed in it with clean boundaries.
    struct Sample {
        var text = ""
        var secrets: [String] = []
    }

    static let words = [
        "the", "quick", "brown", "fox", "Hello", "world", "data", "stream", "token", "ask", "eye", "gh", "AI",
        "DE", "risk-free", "e.g.", "etc.", "v1.2.3", "12:30", "2024-01-15", "3.14", "x", "Mr.", "don't", "42",
        "sk", "ghp", "A", "AIza", "AKIA", "eyJ", "Q3", "100%", "C++", "a_b", "well-known",
    ]
    static let unicode = [
        "café", "naïve", "e\u{301}", "日本語", "中文字符", "👨‍👩‍👧‍👦", "🏳️‍🌈", "Ωμέγα", "ﬁ", "\u{0301}", "한국어", "Привет",
        "👍🏽", "Z\u{0351}\u{0362}", "١٢٣", "é", "\u{200D}",
    ]
    static let nearMisses = [
        "@", "a@", "@b.c", "x@y", "sk-", "sk-abc", "eyJabc.", "eyJhbGciOiJIUzI1NiJ9.", "AKIA123", "ghp_",
        "github_pat_", "-----BEGIN ", "-----", "::", ":", "12:30:45", "1.2.3", "+", "+1", "(", "555-", "0", "00",
        "DE89", "192.168.", "4111 ", "--", "..", "%", "_", "4111 1111 1111 1112", "000-12-3456", "192.168.1.256",
        "DE88 3704 0044 0532 0130 00", "1:2:3", "(555) 12", "+44 20", "a@b", "foo@bar.c",
    ]
    static let separators = [" ", ", ", ". ", "\n", " (", ") ", "; ", "\t", " — "]

    init(seed: UInt64) {
        random = RedactionTestRandom(seed: seed)
    }

    mutating func sample(segments: Int) -> Sample {
        var sample = Sample()
        var previousWasSecret = false
        for _ in 0..<segments {
            let roll = random.below(100)
            let isSecret = roll < 30
            if isSecret || previousWasSecret || random.chance(70) {
                sample.text += random.pick(Self.separators)
            }
            switch roll {
            case 0..<30:
                let value = secret()
                sample.text += value
                sample.secrets.append(value)
            case 30..<60: sample.text += random.pick(Self.words)
            case 60..<80: sample.text += random.pick(Self.unicode)
            default: sample.text += random.pick(Self.nearMisses)
            }
            previousWasSecret = isSecret
        }
        if previousWasSecret { sample.text += random.pick(Self.separators) }
        if random.chance(2) {
            sample.text += " -----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAA unterminated"
        }
        return sample
    }

    mutating func secret() -> String {
        switch random.below(14) {
        case 0: email()
        case 1: phone()
        case 2: card()
        case 3: socialSecurityNumber()
        case 4: iban()
        case 5: ipv4()
        case 6: ipv6()
        case 7: "sk-" + (random.chance(50) ? "proj-" : "") + randomKeyBody(length: 48)
        case 8: "sk-ant-api03-" + randomKeyBody(length: 95)
        case 9: "AIza" + random.string(length: 35, from: SampleSecrets.base64URL)
        case 10: random.pick(["AKIA", "ASIA"]) + random.string(length: 16, from: "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
        case 11:
            random.chance(50)
                ? random.pick(["ghp_", "gho_", "ghu_", "ghs_", "ghr_"])
                    + random.string(length: 36, from: SampleSecrets.base62)
                : "github_pat_" + random.string(length: 22, from: SampleSecrets.base62) + "_"
                    + random.string(length: 59, from: SampleSecrets.base62)
        case 12: jsonWebToken()
        default: privateKeyBlock()
        }
    }

    /// A key body that holds a digit, as random keys do.
    private mutating func randomKeyBody(length: Int) -> String {
        random.string(length: 4, from: SampleSecrets.base62) + random.digits(1)
            + random.string(length: length - 5, from: SampleSecrets.base64URL)
    }

    private mutating func email() -> String {
        let local =
            random.string(length: 1, from: "abcdefghijklmnopqrstuvwxyz")
            + random.string(length: random.below(12), from: "abcdefghijklmnopqrstuvwxyz0123456789._+-")
            + random.string(length: 1, from: "abcdefghijklmnopqrstuvwxyz0123456789")
        var domain = random.string(length: 1 + random.below(10), from: "abcdefghijklmnopqrstuvwxyz0123456789")
        if random.chance(30) { domain += "." + random.string(length: 2 + random.below(6), from: "abcdefghijklmnop") }
        return local + "@" + domain + "." + random.pick(["com", "org", "io", "co.uk", "travel", "de"])
    }

    private mutating func phone() -> String {
        let digits = { (count: Int, random: inout RedactionTestRandom) in random.digits(count) }
        switch random.below(6) {
        case 0: return "+1 (" + digits(3, &random) + ") " + digits(3, &random) + "-" + digits(4, &random)
        case 1: return "+44 20 " + digits(4, &random) + " " + digits(4, &random)
        case 2: return "(" + digits(3, &random) + ") " + digits(3, &random) + "-" + digits(4, &random)
        case 3:
            let separator = random.pick(["-", ".", " "])
            return digits(3, &random) + separator + digits(3, &random) + separator + digits(4, &random)
        case 4: return "0" + digits(2, &random) + " " + digits(4, &random) + " " + digits(4, &random)
        default: return "+49" + String(1 + random.below(9)) + digits(10, &random)
        }
    }

    private mutating func card() -> String {
        let (prefix, length) = random.pick([
            ("4", 16), ("4", 13), ("4", 19), ("51", 16), ("55", 16), ("2221", 16), ("34", 15), ("37", 15),
            ("6011", 16), ("65", 16), ("3528", 16), ("62", 17), ("36", 14),
        ])
        var digits = prefix + random.digits(length - prefix.count - 1)
        digits += String(Self.luhnCheckDigit(for: digits))
        guard random.chance(60) else { return digits }
        let separator = random.pick([" ", "-"])
        let groups: [Int] =
            switch length {
            case 13: [4, 4, 5]
            case 14: [4, 6, 4]
            case 15: [4, 6, 5]
            case 17: [4, 4, 4, 5]
            case 19: [4, 4, 4, 4, 3]
            default: [4, 4, 4, 4]
            }
        var parts: [String] = []
        var rest = Substring(digits)
        for size in groups {
            parts.append(String(rest.prefix(size)))
            rest = rest.dropFirst(size)
        }
        return parts.joined(separator: separator)
    }

    static func luhnCheckDigit(for digits: String) -> Int {
        var sum = 0
        for (index, character) in digits.reversed().enumerated() {
            var value = Int(String(character)) ?? 0
            if index % 2 == 0 {
                value *= 2
                if value > 9 { value -= 9 }
            }
            sum += value
        }
        return (10 - sum % 10) % 10
    }

    private mutating func socialSecurityNumber() -> String {
        var area = 1 + random.below(899)
        if area == 666 { area = 667 }
        let group = 1 + random.below(99)
        let serial = 1 + random.below(9999)
        return padded(area, 3) + "-" + padded(group, 2) + "-" + padded(serial, 4)
    }

    private func padded(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }

    private mutating func iban() -> String {
        let (country, length) = random.pick([("DE", 22), ("GB", 22), ("FR", 27), ("NL", 18), ("NO", 15), ("MT", 31)])
        var bban = random.string(length: 4, from: "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        bban += random.digits(length - 8)
        let check = 98 - Self.mod97(bban + country + "00")
        let compact = country + padded(check, 2) + bban
        guard random.chance(50) else { return compact }
        var groups: [String] = []
        var rest = Substring(compact)
        while !rest.isEmpty {
            groups.append(String(rest.prefix(4)))
            rest = rest.dropFirst(4)
        }
        return groups.joined(separator: " ")
    }

    static func mod97(_ text: String) -> Int {
        var remainder = 0
        for scalar in text.unicodeScalars {
            let value = Int(scalar.value)
            if value >= 48, value <= 57 {
                remainder = (remainder * 10 + value - 48) % 97
            } else {
                remainder = (remainder * 100 + value - 55) % 97
            }
        }
        return remainder
    }

    private mutating func ipv4() -> String {
        (0..<4).map { _ in String(random.below(256)) }.joined(separator: ".")
    }

    private mutating func ipv6() -> String {
        let group = { (random: inout RedactionTestRandom) in
            String(random.below(0x10000), radix: 16)
        }
        switch random.below(4) {
        case 0:
            return "2001:" + (0..<7).map { _ in group(&random) }.joined(separator: ":")
        case 1:
            let head = (0..<random.below(3)).map { _ in group(&random) }.joined(separator: ":")
            let tail = (0..<random.below(3)).map { _ in group(&random) }.joined(separator: ":")
            return "fe80:" + (head.isEmpty ? "" : head + ":") + ":" + tail + (tail.isEmpty ? "1" : ":1")
        case 2: return "::1"
        default: return "::ffff:" + ipv4()
        }
    }

    private mutating func jsonWebToken() -> String {
        "eyJ" + random.string(length: 20 + random.below(40), from: SampleSecrets.base64URL) + ".eyJ"
            + random.string(length: 30 + random.below(200), from: SampleSecrets.base64URL) + "."
            + random.string(length: 43, from: SampleSecrets.base64URL)
    }

    private mutating func privateKeyBlock() -> String {
        let label = random.pick(["", "RSA ", "EC ", "OPENSSH ", "ENCRYPTED "])
        var block = "-----BEGIN \(label)PRIVATE KEY-----\n"
        for _ in 0..<(1 + random.below(4)) {
            block += random.string(length: 64, from: SampleSecrets.base62 + "+/") + "\n"
        }
        return block + "-----END \(label)PRIVATE KEY-----"
    }
}
