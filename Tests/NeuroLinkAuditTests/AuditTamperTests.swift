import GRDB
import Logging
import NeuroLinkAudit
import NeuroLinkProtocol
import Testing

/// Each kind of tampering is found, and the first bad row is named.
@Suite struct AuditTamperTests {
    /// Writes ten events, lets `tamper` change the file behind the log's back, and verifies.
    private func verifyAfter(_ tamper: (TestLogFile) throws -> Void) async throws -> AuditVerification {
        var verification: AuditVerification?
        try await withAuditLog { log, file, _ in
            for index in 1...10 { log.append(sampleEvent(index)) }
            await log.flush()
            #expect(try await log.verify().ok)
            try tamper(file)
            verification = try await log.verify()
        }
        return try #require(verification)
    }

    @Test func anEditedRowIsFound() async throws {
        let verification = try await verifyAfter { file in
            try file.tamper("UPDATE audit_events SET tenant = 'mallory' WHERE id = 5")
        }
        #expect(!verification.ok)
        #expect(verification.firstBadId == 5)
        #expect(verification.problem == "row 5 was edited: its hash does not match its content")
        #expect(verification.rows == 10)
        #expect(verification.headId == 10)
    }

    @Test func aValueOfTheWrongKindIsAnEdit() async throws {
        let verification = try await verifyAfter { file in
            try file.tamper("UPDATE audit_events SET tenant = x'6d616c', counts = 'not json' WHERE id = 3")
        }
        #expect(verification.firstBadId == 3)
        #expect(verification.problem == "row 3 was edited: a column holds a value the daemon never writes")
    }

    @Test func aDeletedRowIsFound() async throws {
        let verification = try await verifyAfter { file in
            try file.tamper("DELETE FROM audit_events WHERE id = 5")
        }
        #expect(verification.firstBadId == 5)
        #expect(verification.problem == "row 5 is missing: it was deleted")
        #expect(verification.rows == 9)
    }

    @Test func rowsDeletedFromTheStartAreFound() async throws {
        let verification = try await verifyAfter { file in
            try file.tamper("DELETE FROM audit_events WHERE id <= 3")
        }
        #expect(verification.firstBadId == 1)
        #expect(verification.problem == "rows 1 to 3 are missing: they were deleted")
    }

    @Test func anInsertedRowIsFound() async throws {
        let verification = try await verifyAfter { file in
            // Make room after row 5, then forge a row 6 with made-up hashes.
            try file.tamper("UPDATE audit_events SET id = -id WHERE id > 5")
            try file.tamper("UPDATE audit_events SET id = 1 - id WHERE id < 0")
            try file.tamper(
                """
                INSERT INTO audit_events (id, time, type, tenant, prev_hash, hash)
                VALUES (6, 1700000000.7, 'admin_action', 'acme', ?, ?)
                """,
                arguments: [String(repeating: "ab", count: 32), String(repeating: "cd", count: 32)]
            )
        }
        #expect(verification.firstBadId == 6)
        #expect(
            verification.problem
                == "row 6 was inserted (or forged): its previous hash does not match row 5, "
                + "and its hash does not match its content"
        )
        #expect(verification.rows == 11)
    }

    @Test func anEditedRowWithItsHashRecomputedIsFound() async throws {
        let verification = try await verifyAfter { file in
            try file.tamper("UPDATE audit_events SET detail = 'nothing happened' WHERE id = 5")
            let edited = try #require(try file.storedRows().first { $0["id"] == 5 })
            try file.tamper(
                "UPDATE audit_events SET hash = ? WHERE id = 5",
                arguments: [ReferenceChain.hash(of: edited)]
            )
        }
        #expect(verification.firstBadId == 5)
        #expect(
            verification.problem
                == "row 5 was edited and its hash recomputed: row 6's previous hash no longer matches it "
                + "(or row 6 was forged)"
        )
    }

    @Test func rowsDeletedAtTheEndWhileTheLogIsOpenAreFound() async throws {
        let verification = try await verifyAfter { file in
            try file.tamper("DELETE FROM audit_events WHERE id > 7")
        }
        #expect(verification.firstBadId == 8)
        #expect(
            verification.problem
                == "the log ends at row 7 but the daemon wrote up to row 10: rows were deleted at the end"
        )
        #expect(verification.headId == 7)
    }

    @Test func theLastRowRewrittenWhileTheLogIsOpenIsFound() async throws {
        var writtenHash = ""
        let verification = try await verifyAfter { file in
            let last = try #require(try file.storedRows().last)
            writtenHash = last["hash"]
            try file.tamper("UPDATE audit_events SET tenant = 'mallory' WHERE id = 10")
            let edited = try #require(try file.storedRows().last)
            try file.tamper(
                "UPDATE audit_events SET hash = ? WHERE id = 10",
                arguments: [ReferenceChain.hash(of: edited)]
            )
        }
        #expect(verification.firstBadId == 10)
        #expect(
            verification.problem
                == "row 10 is not the row the daemon wrote (its hash was \(writtenHash)): "
                + "rows were rewritten up to the end of the log"
        )
    }

    @Test func writesAfterATruncationLeaveAGap() async throws {
        try await withAuditLog { log, file, _ in
            for index in 1...10 { log.append(sampleEvent(index)) }
            await log.flush()
            try file.tamper("DELETE FROM audit_events WHERE id > 7")
            log.append(sampleEvent(11))
            await log.flush()
            let verification = try await log.verify()
            #expect(verification.firstBadId == 8)
            #expect(verification.problem == "rows 8 to 10 are missing: they were deleted")
            #expect(verification.headId == 11)
        }
    }

    /// The limit of what the file alone can show: after a restart, only the journal's heads do.
    @Test func aTruncationBeforeARestartIsOnlyVisibleAgainstTheJournal() async throws {
        let file = TestLogFile()
        defer { file.remove() }
        var journalHead: String?
        try await withAuditLog(on: file) { log, _, recorder in
            for index in 1...10 { log.append(sampleEvent(index)) }
            await log.flush()
            journalHead = recorder.all.last { $0.message == "audit chain head" }?.metadata["head_id"]?.description
        }
        try file.tamper("DELETE FROM audit_events WHERE id > 7")
        try await withAuditLog(on: file) { log, _, _ in
            let verification = try await log.verify()
            #expect(verification.ok)
            #expect(verification.headId == 7)
            #expect(journalHead == "10")
        }
    }
}
