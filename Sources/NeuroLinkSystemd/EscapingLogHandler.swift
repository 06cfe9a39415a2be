import Logging

/// Wraps the daemon's log handler so that no string a client sent (a request id, a provider or model
/// name, an error message quoting them) can start a log line of its own: control characters in the
/// message, in metadata keys and values, and in the attached error are escaped before the wrapped
/// handler formats anything.
///
/// Escapes (``LogEscaping``): `\` → `\\`, newline → `\n`, carriage return → `\r`, tab → `\t`, any other
/// C0/C1 control character, DEL, U+2028 and U+2029 → `\u{…}` (hex). Everything else is unchanged.
///
/// The wrapper owns the logger's metadata, metadata provider and level, merges them as swift-log
/// specifies (handler metadata, then the provider's, then the call's, later ones winning), and hands the
/// wrapped handler one fully escaped event with nothing left for it to merge.
public struct EscapingLogHandler<Wrapped: LogHandler>: LogHandler {
    private var wrapped: Wrapped
    /// Metadata attached to every entry of this handler.
    public var metadata: Logger.Metadata
    /// Contextual metadata merged in at each log call, below the call's own metadata.
    public var metadataProvider: Logger.MetadataProvider?

    /// The minimum level written (the wrapped handler's).
    public var logLevel: Logger.Level {
        get { wrapped.logLevel }
        set { wrapped.logLevel = newValue }
    }

    /// Takes over `wrapped`'s metadata and metadata provider, so they are escaped too.
    public init(_ wrapped: Wrapped) {
        self.wrapped = wrapped
        metadata = wrapped.metadata
        metadataProvider = wrapped.metadataProvider
        self.wrapped.metadata = [:]
        self.wrapped.metadataProvider = nil
    }

    /// One metadata value of this handler.
    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// Escapes the event and passes it on.
    public func log(event: LogEvent) {
        let merged = mergedMetadata(event)
        var escaped = event
        escaped.message = Logger.Message(stringLiteral: LogEscaping.escape(event.message.description))
        escaped.metadata =
            merged.isEmpty
            ? nil
            : Dictionary(
                merged.map { (LogEscaping.escape($0.key), LogEscaping.escape($0.value)) },
                uniquingKeysWith: { _, last in last }
            )
        escaped.error = event.error.map { EscapedError(description: LogEscaping.escape("\($0)")) }
        wrapped.log(event: escaped)
    }
}

/// An error reduced to its escaped description, as the wrapped handler prints it.
struct EscapedError: Error, CustomStringConvertible {
    var description: String
}

/// The escaping ``EscapingLogHandler`` applies.
public enum LogEscaping {
    /// `text` with `\` and every control character escaped, so it cannot end or start a line.
    public static func escape(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: needsEscape) else { return text }
        var result = ""
        result.reserveCapacity(text.utf8.count + 8)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where needsEscape(scalar): result += "\\u{" + String(scalar.value, radix: 16) + "}"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    /// A metadata value with every string in it escaped; `stringConvertible` values become strings.
    public static func escape(_ value: Logger.Metadata.Value) -> Logger.Metadata.Value {
        switch value {
        case .string(let text): .string(escape(text))
        case .stringConvertible(let convertible): .string(escape(convertible.description))
        case .array(let values): .array(values.map(escape))
        case .dictionary(let values):
            .dictionary(
                Dictionary(
                    values.map { (escape($0.key), escape($0.value)) },
                    uniquingKeysWith: { _, last in last }
                )
            )
        }
    }

    private static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        scalar == "\\" || scalar.properties.generalCategory == .control || scalar == "\u{2028}"
            || scalar == "\u{2029}"
    }
}
