import Logging
import NeuroLinkHTTP
import NeuroLinkLimits
import NeuroLinkProtocol
import NeuroLinkProviders
import NeuroLinkRouting

/// Writes one structured log line per request (journald fields under systemd): who asked, what
/// answered, how long it took and how it ended. Prompts and answers are never part of it.
public struct LogRecorder: RequestRecorder {
    let logger: Logger

    public init(logger: Logger) {
        self.logger = logger
    }

    public func record(_ record: RequestRecord) {
        let message: Logger.Message = record.outcome == .success ? "request finished" : "request failed"
        logger.info(message, metadata: Self.metadata(record))
    }

    static func metadata(_ record: RequestRecord) -> Logger.Metadata {
        var fields: Logger.Metadata = [
            "request_id": "\(record.requestId)",
            "method": "\(record.method)",
            "outcome": "\(record.outcome.rawValue)",
            "tenant": "\(record.caller.tenant)",
            "duration_ms": "\(record.durationMs)",
            "chunks": "\(record.chunks)",
            "bytes": "\(record.bytesSent)",
        ]
        let optional: [(String, String?)] = [
            ("peer_uid", record.caller.uid.map(String.init)),
            ("peer_gid", record.caller.gid.map(String.init)),
            ("peer_pid", record.caller.pid.map(String.init)),
            ("user_id", record.context?["userId"]?.stringValue),
            ("session_id", record.context?["sessionId"]?.stringValue),
            ("provider", record.provider),
            ("model", record.model),
            ("pool", record.pool),
            ("member", record.member),
            ("attempts", record.attempts.isEmpty ? nil : record.attempts.map(\.summary).joined(separator: ",")),
            ("ttfc_ms", record.timeToFirstChunkMs.map { "\($0)" }),
            ("input_tokens", record.usage.map { "\($0.inputTokens)" }),
            ("output_tokens", record.usage.map { "\($0.outputTokens)" }),
            ("finish_reason", record.finishReason?.rawValue),
            ("error_type", record.errorType?.rawValue),
            ("failure_class", record.failureClass?.rawValue),
        ]
        for case (let key, let value?) in optional { fields[key] = "\(value)" }
        return fields
    }
}

extension RouteInfo.Attempt {
    /// `openai/gpt-4o:ok`, for a log field.
    fileprivate var summary: String { "\(member):\(outcome)" }
}
