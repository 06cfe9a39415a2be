import NeuroLinkProtocol

/// What one audit row may hold, so that a caller's mistake cannot bloat the log or the journal.
///
/// ``AuditLog/append(_:)`` bounds every event before it is logged, queued and hashed:
/// - text fields keep at most the number of Unicode scalars below (so at most four times as many
///   UTF-8 bytes), and control characters in them become U+FFFD (SQLite text must not hold NUL);
/// - `counts` keys keep `a`–`z`, `0`–`9` and `_` (upper-case letters are lowered, anything else
///   becomes `_`, keys that then collide are added up), at most ``countKeyLength`` of them; only
///   the ``countEntries`` largest counts are kept (ties by key), and an empty map is stored as none;
/// - a `time` that is not finite becomes 0, and -0 becomes 0 (SQLite would not keep its sign).
public enum AuditLimits {
    public static let typeLength = 64
    public static let tenantLength = 128
    public static let requestIdLength = 128
    public static let ruleLength = 128
    public static let detailLength = 256
    public static let countEntries = 32
    public static let countKeyLength = 64
}

extension AuditEvent {
    /// The event as the log keeps it: every field within ``AuditLimits``.
    func bounded() -> AuditEvent {
        var event = self
        event.time = time.isFinite && time != 0 ? time : 0
        event.type = AuditEventType(rawValue: Self.text(type.rawValue, limit: AuditLimits.typeLength))
        event.tenant = tenant.map { Self.text($0, limit: AuditLimits.tenantLength) }
        event.requestId = requestId.map { Self.text($0, limit: AuditLimits.requestIdLength) }
        event.rule = rule.map { Self.text($0, limit: AuditLimits.ruleLength) }
        event.detail = detail.map { Self.text($0, limit: AuditLimits.detailLength) }
        event.counts = counts.flatMap(Self.boundedCounts)
        return event
    }

    /// At most `limit` scalars of `text`, control characters replaced.
    static func text(_ text: String, limit: Int) -> String {
        var scalars = String.UnicodeScalarView()
        for scalar in text.unicodeScalars.prefix(limit) {
            scalars.append(scalar.properties.generalCategory == .control ? "\u{FFFD}" : scalar)
        }
        return String(scalars)
    }

    private static func boundedCounts(_ counts: [String: Int]) -> [String: Int]? {
        var merged: [String: Int] = [:]
        for (key, value) in counts {
            let previous = merged[countKey(key)] ?? 0
            let (sum, overflow) = previous.addingReportingOverflow(value)
            merged[countKey(key)] = overflow ? (value > 0 ? Int.max : Int.min) : sum
        }
        let kept = merged.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
            .prefix(AuditLimits.countEntries)
        return kept.isEmpty ? nil : Dictionary(uniqueKeysWithValues: kept.map { ($0.key, $0.value) })
    }

    /// A `counts` key reduced to `[a-z0-9_]`, so it is also a valid journal field name once prefixed.
    static func countKey(_ key: String) -> String {
        let characters = key.unicodeScalars.prefix(AuditLimits.countKeyLength).map { scalar -> Character in
            switch scalar {
            case "a"..."z", "0"..."9", "_": Character(scalar)
            case "A"..."Z": Character(String(scalar).lowercased())
            default: "_"
            }
        }
        return characters.isEmpty ? "_" : String(characters)
    }
}
