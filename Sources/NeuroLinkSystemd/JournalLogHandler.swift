import Logging

#if canImport(Glibc)
import Glibc
#endif

/// A swift-log handler writing native journal entries: the priority follows the log level and
/// every metadata key becomes a field (`request_id` → `REQUEST_ID`), so
/// `journalctl -u neurolinkd REQUEST_ID=42` finds a request's lines.
///
/// Use it only when standard error is the journal (see ``JournalStream``). If the journal refuses an
/// entry, the line goes to standard error with a `<priority>` prefix, which the journal's stream
/// reader understands, so nothing is lost.
public struct JournalLogHandler: LogHandler {
    /// Metadata attached to every entry of this handler (e.g. `request_id`); each key becomes a field.
    public var metadata: Logger.Metadata = [:]
    /// Contextual metadata merged in at each log call, below the call's own metadata.
    public var metadataProvider: Logger.MetadataProvider?
    /// The minimum level written.
    public var logLevel: Logger.Level = .info

    private let label: String
    private let identifier: String
    private let writer: JournalWriter

    /// - Parameters:
    ///   - label: the logger's label, sent as `LOGGER=`.
    ///   - identifier: `SYSLOG_IDENTIFIER=`, what `journalctl -t` matches.
    ///   - writer: where entries go; the journal unless a test substitutes one.
    public init(
        label: String,
        identifier: String = "neurolinkd",
        metadataProvider: Logger.MetadataProvider? = nil,
        writer: JournalWriter = .systemd
    ) {
        self.label = label
        self.identifier = identifier
        self.metadataProvider = metadataProvider
        self.writer = writer
    }

    /// One metadata value of this handler.
    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// Writes one entry: handler, provider and event metadata merged (later ones win).
    public func log(event: LogEvent) {
        let merged = mergedMetadata(event)
        let fields = JournalFields.entry(
            level: event.level,
            message: event.message.description,
            metadata: merged,
            identifier: identifier,
            label: label,
            file: event.file,
            line: event.line,
            function: event.function,
            error: event.error
        )
        if !writer.send(fields) {
            let text = fields.first.map { String($0.dropFirst("MESSAGE=".count)) } ?? event.message.description
            let line = "<\(JournalFields.priority(event.level))>" + text.replacingNewlines() + "\n"
            _ = line.utf8CString.withUnsafeBufferPointer { write(STDERR_FILENO, $0.baseAddress, $0.count - 1) }
        }
    }
}

extension String {
    /// One line: the stream reader would split the entry at each newline.
    fileprivate func replacingNewlines() -> String {
        String(map { $0.isNewline ? " " : $0 })
    }
}
