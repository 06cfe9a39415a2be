import Foundation
import GRDB
import Logging
import NeuroLinkAudit
import NeuroLinkProtocol
import Testing

/// Appending, verifying, and the chain's continuity across a restart.
@Suite struct AuditChainTests {
    @Test func appendedEventsVerifyAndReportTheHead() async throws {
        try await withAuditLog { log, file, recorder in
            for index in 1...5 { log.append(sampleEvent(index)) }
            await log.flush()

            let verification = try await log.verify()
            let rows = try file.storedRows()
            #expect(verification == AuditVerification(rows: 5, ok: true, headId: 5, headHash: rows.last?["hash"]))
            #expect(log.stats == AuditLog.Stats(appended: 5, written: 5, dropped: 0, queued: 0, lastError: nil))
            // The journal holds the head after each batch: the last one is the file's.
            let heads = recorder.all.filter { $0.message == "audit chain head" }
            #expect(heads.last?.metadata["head_id"] == "5")
            #expect(heads.last?.metadata["head_hash"] == .string(verification.headHash ?? "?"))
        }
    }

    @Test func anEmptyLogVerifies() async throws {
        try await withAuditLog { log, _, _ in
            let verification = try await log.verify()
            #expect(verification == AuditVerification(rows: 0, ok: true))
        }
    }

    @Test func aRestartContinuesTheChain() async throws {
        let file = TestLogFile()
        defer { file.remove() }
        try await withAuditLog(on: file) { log, _, _ in
            for index in 1...3 { log.append(sampleEvent(index)) }
        }
        try await withAuditLog(on: file) { log, _, _ in
            for index in 4...5 { log.append(sampleEvent(index)) }
            await log.flush()
            let verification = try await log.verify()
            #expect(verification.ok)
            #expect(verification.rows == 5)
            #expect(verification.headId == 5)
        }
        let rows = try file.storedRows()
        #expect(rows.map { $0["id"] as Int64 } == [1, 2, 3, 4, 5])
        #expect(rows[3]["prev_hash"] as String == rows[2]["hash"])
        #expect(rows.map { $0["request_id"] as String } == (1...5).map { "req-\($0)" })
    }

    @Test func hashesFollowTheDocumentedScheme() async throws {
        try await withAuditLog { log, file, _ in
            log.append(sampleEvent(1))
            log.append(AuditEvent(time: 1_700_000_000.25, type: .configReloaded))
            log.append(
                AuditEvent(
                    time: -0.0,
                    type: .piiRedacted,
                    tenant: "ünï-模型",
                    uid: .max,
                    counts: ["phone": 1, "email": 2, "z": -3],
                    detail: "input redacted"
                )
            )
            await log.flush()
            let rows = try file.storedRows()
            #expect(rows.count == 3)
            #expect(rows.first?["prev_hash"] == String(repeating: "0", count: 64))
            for (index, row) in rows.enumerated() {
                let hash: String = row["hash"]
                #expect(hash == (try ReferenceChain.hash(of: row)), "row \(index + 1)")
                if index > 0 { #expect(row["prev_hash"] == rows[index - 1]["hash"] as String) }
            }
            #expect(rows[2]["counts"] == #"{"email":2,"phone":1,"z":-3}"#)
        }
    }

    @Test func theFileAndItsDirectoryAreTheOwnersAlone() async throws {
        let base = TestLogFile()
        defer { base.remove() }
        let path = base.directory + "/nested/audit.sqlite"
        let log = try AuditLog(path: path, logger: LogRecorder().logger())
        log.append(sampleEvent(1))
        await log.flush()
        let mode = { (path: String) throws -> Int in
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            return (attributes[.posixPermissions] as? NSNumber)?.intValue ?? -1
        }
        #expect(try mode(path) == 0o600)
        #expect(try mode(base.directory + "/nested") == 0o700)
        #expect(try mode(path + "-wal") == 0o600)
    }
}
