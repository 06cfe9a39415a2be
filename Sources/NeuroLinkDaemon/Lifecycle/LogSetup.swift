import Logging
import NeuroLinkSystemd

/// Chooses where log lines go, once per process.
enum LogSetup {
    /// Native journal entries (priority and structured fields such as `REQUEST_ID`) when standard
    /// error is connected to the journal; otherwise plain text on standard error, as always.
    ///
    /// Either way behind ``EscapingLogHandler``: control characters in messages, metadata and errors
    /// are escaped, so a client's request id or model name cannot forge a log line.
    ///
    /// - Returns: whether the journal is used.
    @discardableResult
    static func bootstrap(level: Logger.Level, environment: [String: String]) -> Bool {
        let journal = JournalStream.isStandardErrorJournal(environment: environment)
        LoggingSystem.bootstrap { label in
            if journal {
                var handler = EscapingLogHandler(JournalLogHandler(label: label))
                handler.logLevel = level
                return handler
            }
            var handler = EscapingLogHandler(StreamLogHandler.standardError(label: label))
            handler.logLevel = level
            return handler
        }
        return journal
    }
}
