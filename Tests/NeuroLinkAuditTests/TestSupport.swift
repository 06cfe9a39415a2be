import Foundation
import GRDB
import Logging
import NeuroLinkAudit
import NeuroLinkProtocol
import Synchronization

/// What a test's logger received.
final class LogRecorder: Sendable {
    struct Entry: Sendable {
        var level: Logger.Level
        var message: String
        var metadata: Logger.Metadata
    }

    private let entries = Mutex<[Entry]>([])

    var all: [Entry] { entries.withLock { $0 } }

    func record(_ entry: Entry) {
        entries.withLock { $0.append(entry) }
    }

    /// A logger whose every line, at every level, lands here.
    func logger() -> Logger {
        Logger(label: "audit-test") { _ in RecordingLogHandler(recorder: self) }
    }
}

struct RecordingLogHandler: LogHandler {
    let recorder: LogRecorder
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { _, call in call }
        recorder.record(.init(level: event.level, message: event.message.description, metadata: merged))
    }
}

/// A log file in a directory of its own under /tmp, removed when the test ends.
struct TestLogFile {
    let directory: String
    var path: String { directory + "/audit.sqlite" }

    init() {
        directory = NSTemporaryDirectory() + "neurolink-audit-\(UUID().uuidString)"
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// A second connection to the file, as an attacker with write access would open it.
    func raw() throws -> DatabaseQueue {
        try DatabaseQueue(path: path)
    }

    func tamper(_ sql: String, arguments: StatementArguments = []) throws {
        let queue = try raw()
        try queue.write { db in try db.execute(sql: sql, arguments: arguments) }
        try queue.close()
    }

    func storedRows() throws -> [Row] {
        let queue = try raw()
        defer { try? queue.close() }
        return try queue.read { db in try Row.fetchAll(db, sql: "SELECT * FROM audit_events ORDER BY id") }
    }
}

/// Opens a log on a fresh file, runs its writer for the duration of `body`, then finishes it and
/// removes the file.
func withAuditLog(
    maxQueued: Int = 10_000,
    _ body: (AuditLog, TestLogFile, LogRecorder) async throws -> Void
) async throws {
    let file = TestLogFile()
    defer { file.remove() }
    try await withAuditLog(on: file, maxQueued: maxQueued, body)
}

/// Opens a log on `file` (which stays), runs its writer for the duration of `body`, then finishes it.
func withAuditLog(
    on file: TestLogFile,
    maxQueued: Int = 10_000,
    _ body: (AuditLog, TestLogFile, LogRecorder) async throws -> Void
) async throws {
    let recorder = LogRecorder()
    let log = try AuditLog(path: file.path, logger: recorder.logger(), maxQueued: maxQueued)
    let writer = Task { await log.run() }
    do {
        try await body(log, file, recorder)
    } catch {
        log.finish()
        await writer.value
        throw error
    }
    log.finish()
    await writer.value
}

/// An event of `type` at `time`, with a request id that tells events apart.
func sampleEvent(
    _ index: Int,
    type: AuditEventType = .policyDenied,
    tenant: String? = "acme",
    time: Double? = nil
) -> AuditEvent {
    AuditEvent(
        time: time ?? 1_700_000_000 + Double(index) / 8,
        type: type,
        tenant: tenant,
        uid: 1000,
        requestId: "req-\(index)",
        rule: "rule-\(index % 3)",
        detail: "fixed text \(index)"
    )
}
