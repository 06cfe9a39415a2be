/// A family of personal data or secrets that the redactor detects.
///
/// The raw values are stable lower-case names used in configuration and metric labels.
/// The declaration order is the tie-break order: when two detectors match equally long text at the
/// same position, the kind declared first wins (see ``Redactor`` for the full scan rules).
public enum PIIKind: String, CaseIterable, Sendable, Hashable, Codable {
    /// A PEM `-----BEGIN … PRIVATE KEY-----` block up to its `-----END … PRIVATE KEY-----` line.
    case privateKey = "private_key"
    /// A JSON Web Token: `eyJ…` `.` `eyJ…` `.` signature.
    case jwt
    /// An Anthropic API key: `sk-ant-…`.
    case anthropicKey = "anthropic_key"
    /// An OpenAI API key: `sk-…`, `sk-proj-…`, `sk-svcacct-…`.
    case openaiKey = "openai_key"
    /// A GitHub token: `ghp_`, `gho_`, `ghu_`, `ghs_`, `ghr_` or `github_pat_`.
    case githubToken = "github_token"
    /// A Google API key: `AIza` and 35 characters.
    case googleAPIKey = "google_api_key"
    /// An AWS access key id: `AKIA` or `ASIA` and 16 upper-case letters or digits.
    case awsAccessKeyID = "aws_access_key_id"
    /// An e-mail address.
    case email
    /// An international bank account number.
    case iban
    /// A payment card number.
    case card
    /// A US social security number.
    case ssn
    /// A telephone number.
    case phone
    /// An IPv6 address.
    case ipv6
    /// An IPv4 address.
    case ipv4

    /// The text that replaces a match when the rules do not say otherwise.
    public var defaultReplacement: String {
        switch self {
        case .privateKey: "[PRIVATE-KEY-REDACTED]"
        case .jwt, .anthropicKey, .openaiKey, .githubToken, .googleAPIKey, .awsAccessKeyID: "[SECRET-REDACTED]"
        case .email: "[EMAIL-REDACTED]"
        case .iban: "[IBAN-REDACTED]"
        case .card: "[CARD-REDACTED]"
        case .ssn: "[SSN-REDACTED]"
        case .phone: "[PHONE-REDACTED]"
        case .ipv6, .ipv4: "[IP-REDACTED]"
        }
    }

    /// Position in `allCases`, used to index per-kind tables.
    var ordinal: Int {
        switch self {
        case .privateKey: 0
        case .jwt: 1
        case .anthropicKey: 2
        case .openaiKey: 3
        case .githubToken: 4
        case .googleAPIKey: 5
        case .awsAccessKeyID: 6
        case .email: 7
        case .iban: 8
        case .card: 9
        case .ssn: 10
        case .phone: 11
        case .ipv6: 12
        case .ipv4: 13
        }
    }

    /// The number of kinds, the size of per-kind tables.
    static let count = 14
}
