import Foundation
import Logging
import NeuroLinkSystemd
import Synchronization
import Testing

@Suite struct JournalTests {
    @Test func prioritiesFollowSyslog() {
        let expected: [(Logger.Level, Int)] = [
            (.trace, 7), (.debug, 7), (.info, 6), (.notice, 5), (.warning, 4), (.error, 3), (.critical, 2),
        ]
        for (level, priority) in expected { #expect(JournalFields.priority(level) == priority, "\(level)") }
    }

    @Test func metadataKeysBecomeJournalFieldNames() {
        #expect(JournalFields.fieldName(forMetadataKey: "request_id") == "REQUEST_ID")
        #expect(JournalFields.fieldName(forMetadataKey: "peer_uid") == "PEER_UID")
        #expect(JournalFields.fieldName(forMetadataKey: "provider") == "PROVIDER")
        #expect(JournalFields.fieldName(forMetadataKey: "error-type.x") == "ERROR_TYPE_X")
        #expect(JournalFields.fieldName(forMetadataKey: "_private") == "F_PRIVATE")
        #expect(JournalFields.fieldName(forMetadataKey: "2fa") == "F2FA")
        #expect(JournalFields.fieldName(forMetadataKey: "message") == "META_MESSAGE")
        #expect(JournalFields.fieldName(forMetadataKey: "priority") == "META_PRIORITY")
        #expect(JournalFields.fieldName(forMetadataKey: "--") == nil)
        #expect(JournalFields.fieldName(forMetadataKey: String(repeating: "k", count: 100))?.count == 64)
    }

    @Test func entryCarriesMessagePriorityLocationAndMetadata() {
        let fields = JournalFields.entry(
            level: .warning,
            message: "request failed",
            metadata: ["request_id": "42", "model": "m1", "provider": "openai"],
            identifier: "neurolinkd",
            label: "neurolinkd",
            file: "NeuroLinkDaemon/X.swift",
            line: 12,
            function: "f()"
        )
        #expect(fields.first == "MESSAGE=request failed model=m1 provider=openai request_id=42")
        for field in [
            "PRIORITY=4", "SYSLOG_IDENTIFIER=neurolinkd", "LOGGER=neurolinkd", "CODE_FILE=NeuroLinkDaemon/X.swift",
            "CODE_LINE=12", "CODE_FUNC=f()", "REQUEST_ID=42", "MODEL=m1", "PROVIDER=openai",
        ] {
            #expect(fields.contains(field), "missing \(field) in \(fields)")
        }
    }

    @Test func handlerMergesHandlerProviderAndEventMetadata() {
        let sent = Mutex<[[String]]>([])
        let writer = JournalWriter { fields in
            sent.withLock { $0.append(fields) }
            return true
        }
        var handler = JournalLogHandler(label: "neurolinkd", metadataProvider: .init { ["task": "t"] }, writer: writer)
        handler.logLevel = .debug
        handler[metadataKey: "peer_uid"] = "1000"
        var logger = Logger(label: "neurolinkd") { _ in handler }
        logger.logLevel = .debug
        logger[metadataKey: "request_id"] = "7"
        logger.notice("hello\nworld", metadata: ["provider": "p"])
        let fields = sent.withLock { $0 }.first ?? []
        #expect(fields.first == "MESSAGE=hello\nworld peer_uid=1000 provider=p request_id=7 task=t")
        #expect(fields.contains("PRIORITY=5"))
        #expect(
            fields.contains("PEER_UID=1000") && fields.contains("REQUEST_ID=7") && fields.contains("PROVIDER=p")
                && fields.contains("TASK=t")
        )
    }

    @Test func journalStreamMustMatchTheDescriptor() throws {
        #expect(JournalStream.parse("2049:1234")! == (2049, 1234))
        #expect(JournalStream.parse("2049") == nil)
        #expect(JournalStream.parse("a:b") == nil)
        #expect(JournalStream.parse("1:2:3") == nil)

        let path = "/tmp/nls-journal-\(UUID().uuidString.prefix(8))"
        try #require(FileManager.default.createFile(atPath: path, contents: nil))
        defer { unlink(path) }
        let fd = open(path, O_RDONLY)
        try #require(fd >= 0)
        defer { close(fd) }
        var info = stat()
        try #require(fstat(fd, &info) == 0)
        #expect(JournalStream.matches("\(info.st_dev):\(info.st_ino)", descriptor: fd))
        #expect(!JournalStream.matches("\(info.st_dev):\(info.st_ino + 1)", descriptor: fd))
        #expect(!JournalStream.matches("garbage", descriptor: fd))
        #expect(!JournalStream.isStandardErrorJournal(environment: [:]))
        #expect(!JournalStream.isStandardErrorJournal(environment: ["JOURNAL_STREAM": "\(info.st_dev):\(info.st_ino)"]))
    }
}
