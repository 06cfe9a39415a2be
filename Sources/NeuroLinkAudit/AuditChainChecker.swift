import NeuroLinkProtocol

/// Walks the rows in id order, one at a time, and keeps the first place where the chain breaks.
///
/// Which row is to blame is read from which checks fail: a row whose hash does not match its
/// content was edited; one whose link to the row before is broken as well was inserted (or
/// forged); an intact row whose link is broken follows a row that was edited and re-hashed. An
/// attacker who rewrites every hash from the edited row to the end leaves a chain that is intact;
/// only the head this process wrote, or the heads in the journal, show that.
struct AuditChainChecker {
    private struct Problem {
        var id: Int64
        var text: String
    }

    private let writtenHead: AuditHead?
    private var rows = 0
    private var last: AuditHead?
    private var problem: Problem?

    /// `writtenHead`: the last row this process wrote (or found when it opened the file), taken
    /// before the rows are read, so every row it names is in what is read.
    init(writtenHead: AuditHead?) {
        self.writtenHead = writtenHead
    }

    mutating func check(_ row: StoredAuditRow) {
        rows += 1
        if problem == nil { problem = linkProblem(row) ?? headProblem(row) }
        last = AuditHead(id: row.id, hash: row.hash)
    }

    func result() -> AuditVerification {
        let problem = self.problem ?? truncation()
        return AuditVerification(
            rows: rows,
            ok: problem == nil,
            firstBadId: problem?.id,
            problem: problem?.text,
            headId: last?.id,
            headHash: last?.hash
        )
    }

    private func linkProblem(_ row: StoredAuditRow) -> Problem? {
        let expectedId = (last?.id ?? 0) + 1
        if row.id < expectedId {
            return Problem(id: row.id, text: "row \(row.id) has an id the daemon never writes (ids start at 1)")
        }
        if row.id > expectedId { return missing(from: expectedId, to: row.id - 1) }
        let linked = row.prevHash == (last?.hash ?? AuditChain.genesis)
        let predecessor = last.map { "row \($0.id)" } ?? "the start of the chain (64 zeros)"
        switch (row.hashMatchesContent, linked) {
        case (true, true):
            return nil
        case (false, false):
            return Problem(
                id: row.id,
                text: "row \(row.id) was inserted (or forged): its previous hash does not match \(predecessor), "
                    + "and its hash does not match its content"
            )
        case (false, true):
            let what =
                row.event == nil
                ? "a column holds a value the daemon never writes" : "its hash does not match its content"
            return Problem(id: row.id, text: "row \(row.id) was edited: \(what)")
        case (true, false):
            return brokenLink(after: last, at: row.id)
        }
    }

    /// An intact row whose previous hash names another row than the one before it.
    private func brokenLink(after previous: AuditHead?, at id: Int64) -> Problem {
        guard let previous else {
            return Problem(
                id: id,
                text: "row \(id) does not start the chain: its previous hash is not 64 zeros (it was forged)"
            )
        }
        return Problem(
            id: previous.id,
            text: "row \(previous.id) was edited and its hash recomputed: row \(id)'s previous hash no longer "
                + "matches it (or row \(id) was forged)"
        )
    }

    private func missing(from first: Int64, to last: Int64) -> Problem {
        let text =
            first == last
            ? "row \(first) is missing: it was deleted"
            : "rows \(first) to \(last) are missing: they were deleted"
        return Problem(id: first, text: text)
    }

    /// The last row this process wrote must still be there, unchanged.
    private func headProblem(_ row: StoredAuditRow) -> Problem? {
        guard let writtenHead, row.id == writtenHead.id, row.hash != writtenHead.hash else { return nil }
        return Problem(
            id: row.id,
            text: "row \(row.id) is not the row the daemon wrote (its hash was \(writtenHead.hash)): "
                + "rows were rewritten up to the end of the log"
        )
    }

    /// Rows this process wrote that are no longer in the file.
    private func truncation() -> Problem? {
        let lastId = last?.id ?? 0
        guard let writtenHead, lastId < writtenHead.id else { return nil }
        let ends = lastId == 0 ? "the log is empty" : "the log ends at row \(lastId)"
        return Problem(
            id: lastId + 1,
            text: "\(ends) but the daemon wrote up to row \(writtenHead.id): rows were deleted at the end"
        )
    }
}
