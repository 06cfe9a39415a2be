import Foundation
import GRDB
import Logging
import NeuroLinkAudit
import NeuroLinkProtocol
import Testing

/// The bounded queue, the record of what it dropped, and the writer's shutdown.
@Suite struct AuditQueueTests {
    @Test func aFullQueueDropsAndTheNextBatchRecordsHowMany() async throws {
        let file = TestLogFile()
        defer { file.remove() }
        let recorder = LogRecorder()
        // No writer runs yet: the queue fills.
        let log = try AuditLog(path: file.path, logger: recorder.logger(), maxQueued: 3)
        for index in 1...5 { log.append(sampleEvent(index)) }
        #expect(log.stats == AuditLog.Stats(appended: 5, written: 0, dropped: 2, queued: 3, lastError: nil))
        // Dropped events still reach the journal; the warning comes once per run of drops.
        #expect(recorder.all.filter { $0.message == "security audit event" }.count == 5)
        #expect(recorder.all.filter { $0.message == "audit queue full: events are dropped" }.count == 1)

        await log.flush()
        let rows = try file.storedRows()
        #expect(
            rows.map { $0["type"] as String } == ["policy_denied", "policy_denied", "policy_denied", "audit_dropped"]
        )
        #expect(rows.last?["counts"] == #"{"events":2}"#)
        #expect(rows.map { $0["request_id"] as String? } == ["req-1", "req-2", "req-3", nil])
        #expect(log.stats == AuditLog.Stats(appended: 5, written: 4, dropped: 2, queued: 0, lastError: nil))
        #expect(try await log.verify().ok)
        let record = recorder.all.last { $0.metadata["type"] == "audit_dropped" }
        #expect(record?.metadata["count_events"] == "2")
        #expect(record?.level == .warning)

        // Room again: a later overflow is warned about anew, and recorded once more.
        for index in 6...10 { log.append(sampleEvent(index)) }
        await log.flush()
        #expect(recorder.all.filter { $0.message == "audit queue full: events are dropped" }.count == 2)
        #expect(try file.storedRows().last?["counts"] == #"{"events":2}"#)
    }

    @Test func finishWritesWhatIsQueued() async throws {
        let file = TestLogFile()
        defer { file.remove() }
        let log = try AuditLog(path: file.path, logger: LogRecorder().logger())
        for index in 1...300 { log.append(sampleEvent(index)) }
        let writer = Task { await log.run() }
        log.finish()
        await writer.value
        #expect(try file.storedRows().count == 300)
        #expect(log.stats.written == 300)
    }

    @Test func aCancelledWriterStillWritesWhatIsQueued() async throws {
        let file = TestLogFile()
        defer { file.remove() }
        let log = try AuditLog(path: file.path, logger: LogRecorder().logger())
        let writer = Task { await log.run() }
        for index in 1...20 { log.append(sampleEvent(index)) }
        writer.cancel()
        await writer.value
        #expect(try file.storedRows().count == 20)
        #expect(try await log.verify().ok)
    }

    @Test func aBadFileIsRefusedWithItsPath() throws {
        let file = TestLogFile()
        defer { file.remove() }
        // The directory's name taken by a file: neither the directory nor the database can be made.
        try FileManager.default.createDirectory(atPath: file.directory, withIntermediateDirectories: true)
        #expect(FileManager.default.createFile(atPath: file.directory + "/taken", contents: Data("x".utf8)))
        let path = file.directory + "/taken/audit.sqlite"
        #expect {
            _ = try AuditLog(path: path, logger: LogRecorder().logger())
        } throws: { error in
            (error as? AuditLogError)?.description.hasPrefix("audit log \(path): ") == true
        }
    }
}
