import NeuroLinkSecurity
import Testing

/// One input and the whole-text redaction it must produce.
struct RedactionCase: Sendable, CustomTestStringConvertible {
    let input: String
    let expected: String

    init(_ input: String, _ expected: String) {
        self.input = input
        self.expected = expected
    }

    /// A case whose text must pass through unchanged.
    static func untouched(_ input: String) -> RedactionCase {
        RedactionCase(input, input)
    }

    var testDescription: String { input }
}

/// Checks the whole-text result and that byte-at-a-time streaming agrees with it.
private func check(_ testCase: RedactionCase) {
    #expect(redacted(testCase.input) == testCase.expected)
    #expect(streamedByteByByte(testCase.input).text == testCase.expected)
}

@Suite("Redaction detectors")
struct RedactionDetectorTests {
    @Test(arguments: [
        RedactionCase("mail john.doe+tag@example.co.uk today", "mail [EMAIL-REDACTED] today"),
        RedactionCase("<a_b@mail.example.org>", "<[EMAIL-REDACTED]>"),
        RedactionCase("write to foo@bar.com.", "write to [EMAIL-REDACTED]."),
        RedactionCase("xfoo@bar.comx", "[EMAIL-REDACTED]"),
        RedactionCase("日本foo@bar.com", "日本[EMAIL-REDACTED]"),
        RedactionCase("foo@bar.com_x", "[EMAIL-REDACTED]_x"),
        RedactionCase("foo@bar.com.x1 is odd", "[EMAIL-REDACTED].x1 is odd"),
        RedactionCase("(see: first.last@sub-domain.example.travel)", "(see: [EMAIL-REDACTED])"),
    ])
    func emailAddresses(_ testCase: RedactionCase) {
        check(testCase)
    }

    @Test(arguments: [
        "foo@bar", "foo@localhost", "@example.com", "a@b.c", "foo@-bar.com", "user@@example.com",
        "an @ sign", "foo@bar.c0m", "e.g. this", String(repeating: "a", count: 65) + "@example.com",
    ])
    func notEmailAddresses(_ input: String) {
        check(.untouched(input))
    }

    @Test(arguments: [
        RedactionCase("call +1 (555) 123-4567 now", "call [PHONE-REDACTED] now"),
        RedactionCase("+44 20 7946 0958", "[PHONE-REDACTED]"),
        RedactionCase("+4915112345678.", "[PHONE-REDACTED]."),
        RedactionCase("+44 (0)20 7946 0958", "[PHONE-REDACTED]"),
        RedactionCase("+33.1.23.45.67.89", "[PHONE-REDACTED]"),
        RedactionCase("(555) 123-4567", "[PHONE-REDACTED]"),
        RedactionCase("(555)123-4567", "[PHONE-REDACTED]"),
        RedactionCase("555-123-4567, or", "[PHONE-REDACTED], or"),
        RedactionCase("555.123.4567", "[PHONE-REDACTED]"),
        RedactionCase("1-800-555-0199", "[PHONE-REDACTED]"),
        RedactionCase("Tel: 020 7946 0958", "Tel: [PHONE-REDACTED]"),
        RedactionCase("06 12 34 56 78", "[PHONE-REDACTED]"),
        RedactionCase("030-12345678", "[PHONE-REDACTED]"),
        RedactionCase("0044 20 7946 0958", "[PHONE-REDACTED]"),
        RedactionCase("+44 20 7946 0958 4111 1111 1111 1111", "[PHONE-REDACTED] [CARD-REDACTED]"),
    ])
    func phoneNumbers(_ testCase: RedactionCase) {
        check(testCase)
    }

    @Test(arguments: [
        "12345678", "2024-01-15", "12:30:45", "v1.2.3", "555-1234", "3.14159", "+12", "555-123-45678",
        "call 555-123-4567-89 now", "1,234,567,890", "01/02/2024", "01-02-2024", "100 200 300",
        "+1234567890123456", "07700900123", "1.5.2024 12:00", "x555-123-4567", "0 800 1",
    ])
    func notPhoneNumbers(_ input: String) {
        check(.untouched(input))
    }

    @Test(arguments: [
        RedactionCase("card 4111 1111 1111 1111 exp", "card [CARD-REDACTED] exp"),
        RedactionCase("4111-1111-1111-1111", "[CARD-REDACTED]"),
        RedactionCase("4111111111111111.", "[CARD-REDACTED]."),
        RedactionCase("378282246310005", "[CARD-REDACTED]"),
        RedactionCase("3782 822463 10005", "[CARD-REDACTED]"),
        RedactionCase("5555555555554444", "[CARD-REDACTED]"),
        RedactionCase("6011111111111117", "[CARD-REDACTED]"),
        RedactionCase("3530111333300000", "[CARD-REDACTED]"),
        RedactionCase("2223003122003222", "[CARD-REDACTED]"),
        RedactionCase("4111 1111 1111 1111 55 units", "[CARD-REDACTED] 55 units"),
    ])
    func cardNumbers(_ testCase: RedactionCase) {
        check(testCase)
    }

    @Test(arguments: [
        "4111 1111 1111 1112", "4111111111111112", "1234567812345670", "41111111111111112222",
        "4111111111111111.5", "4111 1111 1111 1111x", "x4111111111111111", "9111111111111111",
        "4111  1111  1111  1111",
    ])
    func notCardNumbers(_ input: String) {
        check(.untouched(input))
    }

    @Test(arguments: [
        RedactionCase("SSN 123-45-6789.", "SSN [SSN-REDACTED]."),
        RedactionCase("078-05-1120", "[SSN-REDACTED]"),
        RedactionCase("899-99-9999", "[SSN-REDACTED]"),
    ])
    func socialSecurityNumbers(_ testCase: RedactionCase) {
        check(testCase)
    }

    @Test(arguments: [
        "000-12-3456", "666-12-3456", "900-12-3456", "999-12-3456", "123-00-4567", "123-45-0000",
        "123-45-67890", "1123-45-6789", "123-45-6789-1", "123 45 6789",
    ])
    func notSocialSecurityNumbers(_ input: String) {
        check(.untouched(input))
    }

    @Test(arguments: [
        RedactionCase("IBAN DE89 3704 0044 0532 0130 00, thanks", "IBAN [IBAN-REDACTED], thanks"),
        RedactionCase("DE89370400440532013000", "[IBAN-REDACTED]"),
        RedactionCase("GB29 NWBK 6016 1331 9268 19", "[IBAN-REDACTED]"),
        RedactionCase("GB29NWBK60161331926819.", "[IBAN-REDACTED]."),
        RedactionCase("FR14 2004 1010 0505 0001 3M02 606", "[IBAN-REDACTED]"),
        RedactionCase("NL91ABNA0417164300", "[IBAN-REDACTED]"),
        RedactionCase("BE68 5390 0754 7034 AND MORE", "[IBAN-REDACTED] AND MORE"),
    ])
    func ibans(_ testCase: RedactionCase) {
        check(testCase)
    }

    @Test(arguments: [
        "DE88 3704 0044 0532 0130 00", "DE89 3704 0044 0532 0130 0", "de89370400440532013000",
        "DE89370400440532013000X", "XDE89370400440532013000", "DE89 3704 0044 0532 0130 001",
    ])
    func notIBANs(_ input: String) {
        // Broken IBANs may still hold a phone-shaped digit run (`0044 0532 0130`); they must not be IBANs.
        let result = Redactor().redact(input)
        #expect(result.counts[.iban] == 0)
        #expect(streamedByteByByte(input).text == result.text)
    }

    @Test(arguments: [
        RedactionCase("host 10.0.0.1 up", "host [IP-REDACTED] up"),
        RedactionCase("192.168.1.254:8080", "[IP-REDACTED]:8080"),
        RedactionCase("10.0.0.0/8", "[IP-REDACTED]/8"),
        RedactionCase("255.255.255.255.", "[IP-REDACTED]."),
        RedactionCase("2001:0db8:0000:0000:0000:ff00:0042:8329", "[IP-REDACTED]"),
        RedactionCase("2001:db8::8a2e:370:7334", "[IP-REDACTED]"),
        RedactionCase("::1", "[IP-REDACTED]"),
        RedactionCase("fe80::", "[IP-REDACTED]"),
        RedactionCase("[::1]:443", "[[IP-REDACTED]]:443"),
        RedactionCase("::ffff:192.0.2.1", "[IP-REDACTED]"),
        RedactionCase("fe80::1%eth0", "[IP-REDACTED]%eth0"),
    ])
    func ipAddresses(_ testCase: RedactionCase) {
        check(testCase)
    }

    @Test(arguments: [
        "192.168.1.256", "1.2.3", "1.2.3.4.5", "999.1.1.1", "v10.0.0.1", "12:30:45", "::", "std::vector",
        "a::b", "1:2:3:4:5:6:7", "00:1a:2b:3c:4d:5e", "dead::beef", "1.2.3.4x", "fe80::1zz",
        "1:2:3:4:5:6:7:8:9", "1::2::3",
    ])
    func notIPAddresses(_ input: String) {
        check(.untouched(input))
    }

    @Test(arguments: [
        RedactionCase("key=" + SampleSecrets.openAIKey + ";", "key=[SECRET-REDACTED];"),
        RedactionCase(SampleSecrets.openAIProjectKey, "[SECRET-REDACTED]"),
        RedactionCase("'" + SampleSecrets.anthropicKey + "'", "'[SECRET-REDACTED]'"),
        RedactionCase(SampleSecrets.googleKey + " ok", "[SECRET-REDACTED] ok"),
        RedactionCase("id " + SampleSecrets.awsKeyID, "id [SECRET-REDACTED]"),
        RedactionCase("ASIAY34FZKBOKMUTVV7A", "[SECRET-REDACTED]"),
        RedactionCase(SampleSecrets.githubClassic, "[SECRET-REDACTED]"),
        RedactionCase(SampleSecrets.githubFineGrained + ".", "[SECRET-REDACTED]."),
        RedactionCase("Bearer " + SampleSecrets.jwt + ". Next", "Bearer [SECRET-REDACTED]. Next"),
        RedactionCase(
            "key:\n" + SampleSecrets.privateKeyBlock + "\nafter",
            "key:\n[PRIVATE-KEY-REDACTED]\nafter"
        ),
        RedactionCase(
            "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nno end",
            "[PRIVATE-KEY-REDACTED]"
        ),
        RedactionCase(
            "x\\n-----BEGIN EC PRIVATE KEY-----abc-----END EC PRIVATE KEY----- y",
            "x\\n[PRIVATE-KEY-REDACTED] y"
        ),
    ])
    func secrets(_ testCase: RedactionCase) {
        check(testCase)
    }

    @Test(arguments: [
        "risk-free", "sk-learn", "sk-learn-is-a-python-library-for-machine-learning", "task-" + SampleSecrets.openAIKey,
        "AIzaShort", "AKIA1234", "AKIAIOSFODNN7EXAMPLEX", "ghp_short", "eyJhbGciOiJIUzI1NiJ9",
        "eyJhbGciOiJIUzI1NiJ9.payload", "-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----",
        "-----BEGIN CERTIFICATE-----", "-----BEGIN PGP PRIVATE KEY BLOCK-----",
        "sk-" + String(repeating: "a", count: 40),
    ])
    func notSecrets(_ input: String) {
        check(.untouched(input))
    }

    @Test func prefersLongestMatchAndCounts() {
        let text = "a@b.io 10.0.0.1 4111111111111111 " + SampleSecrets.awsKeyID + " 123-45-6789 ::1"
        let result = Redactor().redact(text)
        #expect(
            result.text
                == "[EMAIL-REDACTED] [IP-REDACTED] [CARD-REDACTED] [SECRET-REDACTED] [SSN-REDACTED] [IP-REDACTED]"
        )
        #expect(result.counts[.email] == 1)
        #expect(result.counts[.ipv4] == 1)
        #expect(result.counts[.ipv6] == 1)
        #expect(result.counts[.card] == 1)
        #expect(result.counts[.awsAccessKeyID] == 1)
        #expect(result.counts[.ssn] == 1)
        #expect(result.counts.total == 6)
    }

    @Test func rulesDisableKindsAndOverrideReplacements() {
        var rules = RedactionRules.default
        rules.enabledKinds.remove(.email)
        rules.replacements[.ipv4] = "<ip>"
        let text = "a@b.io from 10.0.0.1"
        #expect(redacted(text, rules: rules) == "a@b.io from <ip>")
        #expect(streamedByteByByte(text, rules: rules).text == "a@b.io from <ip>")
        #expect(PIIKind(rawValue: "aws_access_key_id") == .awsAccessKeyID)
        #expect(PIIKind.allCases.map(\.rawValue).contains("google_api_key"))
    }
}
