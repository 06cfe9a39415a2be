import Logging

/// How a log event becomes a journal entry: syslog priority, field names, the field list.
public enum JournalFields {
    /// The syslog priority (`PRIORITY=`) for a log level. swift-log's `trace` has no syslog
    /// counterpart and shares `debug` (7).
    public static func priority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }

    /// Fields the handler writes itself; metadata keys that map onto one of these (or onto a field
    /// the journal gives a special meaning) are prefixed with `META_` rather than overriding it.
    static let reserved: Set<String> = [
        "MESSAGE", "MESSAGE_ID", "PRIORITY", "CODE_FILE", "CODE_LINE", "CODE_FUNC", "SYSLOG_IDENTIFIER",
        "SYSLOG_FACILITY", "SYSLOG_PID", "SYSLOG_TIMESTAMP", "LOGGER", "SOURCE", "ERROR", "ERRNO", "TID",
        "OBJECT_PID", "UNIT", "USER_UNIT", "INVOCATION_ID", "USER_INVOCATION_ID", "DOCUMENTATION",
    ]

    /// The journal field name for a logger metadata key: `request_id` → `REQUEST_ID`.
    ///
    /// Journal field names are at most 64 characters of `A–Z`, `0–9` and `_`, and may not start with
    /// `_` (reserved for fields the journal adds itself) or a digit; anything else is replaced by `_`,
    /// and such a start gets the prefix `F`. Returns `nil` for a key with nothing usable in it.
    public static func fieldName(forMetadataKey key: String) -> String? {
        var name = String(
            key.uppercased().unicodeScalars.map { scalar -> Character in
                switch scalar {
                case "A"..."Z", "0"..."9": Character(scalar)
                default: "_"
                }
            }
        )
        guard name.contains(where: { $0 != "_" }) else { return nil }
        if let first = name.first, first == "_" || first.isNumber { name = "F" + name }
        if reserved.contains(name) { name = "META_" + name }
        return String(name.prefix(64))
    }

    /// Every field of one entry, as `NAME=value` strings ready for `sd_journal_sendv`.
    ///
    /// `MESSAGE` repeats the metadata as `key=value` pairs after the text, because plain
    /// `journalctl` output shows only the message; the structured fields are for filtering
    /// (`journalctl REQUEST_ID=42`).
    public static func entry(
        level: Logger.Level,
        message: String,
        metadata: Logger.Metadata,
        identifier: String,
        label: String,
        file: String,
        line: UInt,
        function: String,
        error: (any Error)? = nil
    ) -> [String] {
        let sorted = metadata.sorted { $0.key < $1.key }
        var text = message
        if !sorted.isEmpty {
            text += " " + sorted.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        }
        var fields = [
            "MESSAGE=" + text,
            "PRIORITY=\(priority(level))",
            "SYSLOG_IDENTIFIER=" + identifier,
            "LOGGER=" + label,
            "CODE_FILE=" + file,
            "CODE_LINE=\(line)",
            "CODE_FUNC=" + function,
        ]
        if let error { fields.append("ERROR=\(error)") }
        var used = Set<String>()
        for (key, value) in sorted {
            guard let name = fieldName(forMetadataKey: key), used.insert(name).inserted else { continue }
            fields.append(name + "=\(value)")
        }
        return fields
    }
}
