import Logging
import NeuroLinkSystemd
import Synchronization
import Testing

/// Client strings (request ids, model names) cannot forge log lines: the handler every daemon logger
/// goes through escapes control characters in messages, metadata and errors.
@Suite struct EscapingLogHandlerTests {
    /// Collects what a `StreamLogHandler` writes.
    final class TextSink: TextOutputStream, Sendable {
        private let text = Mutex("")
        func write(_ string: String) { text.withLock { $0 += string } }
        var lines: [Substring] { text.withLock { $0 }.split(separator: "\n", omittingEmptySubsequences: false) }
        var all: String { text.withLock { $0 } }
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    private func streamLogger(_ sink: TextSink) -> Logger {
        var handler = EscapingLogHandler(StreamLogHandler(label: "neurolinkd", stream: sink, metadataProvider: nil))
        handler.logLevel = .debug
        var logger = Logger(label: "neurolinkd") { _ in handler }
        logger.logLevel = .debug
        return logger
    }

    @Test func aNewlineInARequestIDCannotStartALine() {
        let sink = TextSink()
        var logger = streamLogger(sink)
        logger[metadataKey: "request_id"] = "1\nFAKE LINE"
        logger.info(
            "request \("1\nFAKE LINE2") started\r\nFAKE LINE3",
            metadata: ["model": .stringConvertible("m\nFAKE")]
        )
        logger.error("failed", error: Failure(description: "bad\nFAKE error"))
        #expect(!sink.lines.contains { $0.hasPrefix("FAKE") }, "\(sink.all)")
        #expect(sink.all.contains(#"request_id=1\nFAKE LINE"#), "\(sink.all)")
        #expect(sink.all.contains(#"request 1\nFAKE LINE2 started\r\nFAKE LINE3"#), "\(sink.all)")
        #expect(sink.all.contains(#"m\nFAKE"#) && sink.all.contains(#"bad\nFAKE error"#), "\(sink.all)")
        #expect(sink.lines.count == 3, "two entries and the final newline: \(sink.all)")
    }

    @Test func journalEntriesAreEscapedToo() {
        let sent = Mutex<[[String]]>([])
        let writer = JournalWriter { fields in
            sent.withLock { $0.append(fields) }
            return true
        }
        var handler = EscapingLogHandler(
            JournalLogHandler(label: "neurolinkd", metadataProvider: .init { ["task": "t\u{1B}[31m"] }, writer: writer)
        )
        handler.logLevel = .debug
        handler[metadataKey: "peer_uid"] = "1000"
        var logger = Logger(label: "neurolinkd") { _ in handler }
        logger.logLevel = .debug
        logger[metadataKey: "request_id"] = "7\nFAKE"
        logger.notice("hello\nworld", metadata: ["provider": "p\u{2028}x"])
        let fields = sent.withLock { $0 }.first ?? []
        #expect(
            fields.first
                == #"MESSAGE=hello\nworld peer_uid=1000 provider=p\u{2028}x request_id=7\nFAKE task=t\u{1b}[31m"#,
            "\(fields)"
        )
        #expect(fields.contains(#"REQUEST_ID=7\nFAKE"#) && fields.contains("PEER_UID=1000"), "\(fields)")
        #expect(!fields.contains { $0.contains("\n") })
    }

    @Test(arguments: [
        ("plain text, ünïcode ✓", "plain text, ünïcode ✓"),
        ("a\nb", #"a\nb"#),
        ("a\\nb", #"a\\nb"#),
        ("tab\there", #"tab\there"#),
        ("nul\u{0}bel\u{7}del\u{7F}nel\u{85}", #"nul\u{0}bel\u{7}del\u{7f}nel\u{85}"#),
        ("ls\u{2028}ps\u{2029}", #"ls\u{2028}ps\u{2029}"#),
    ])
    func escaping(_ input: String, _ expected: String) {
        #expect(LogEscaping.escape(input) == expected)
    }

    @Test func nestedMetadataIsEscaped() {
        let value = LogEscaping.escape(.dictionary(["k\n": .array([.string("a\nb"), .stringConvertible(7)])]))
        #expect(value == .dictionary([#"k\n"#: .array([.string(#"a\nb"#), .string("7")])]))
    }

    @Test func levelIsTheWrappedHandlersAndMetadataIsMerged() {
        let sink = TextSink()
        var handler = EscapingLogHandler(
            StreamLogHandler(label: "l", stream: sink, metadataProvider: .init { ["from": "provider", "both": "p"] })
        )
        handler.logLevel = .warning
        handler[metadataKey: "both"] = "handler"
        handler[metadataKey: "mine"] = "m"
        let logger = Logger(label: "l") { _ in handler }
        logger.info("dropped")
        logger.warning("kept", metadata: ["call": "c"])
        #expect(!sink.all.contains("dropped"))
        #expect(sink.all.contains("both=p call=c from=provider mine=m"), "\(sink.all)")
    }
}
