import NIOCore
import NeuroLinkAudit
import NeuroLinkBasics
import NeuroLinkCore
import NeuroLinkProtocol

extension Connection {
    /// `audit.report` and `audit.verify` (admins only: the method check refused everyone else),
    /// in a child task: a verification reads the whole log.
    func handleAudit(_ request: InboundRequest, group: inout DiscardingTaskGroup) {
        guard let id = request.id else { return }
        group.addTask { [self] in
            let frame: ByteBuffer
            do throws(RPCError) {
                guard let audit = daemon.security.audit else {
                    throw RPCError(.invalidParams, "the audit log is disabled (security.audit.enabled: false)")
                }
                // Everything appended before the call is in what it reads.
                await audit.flush()
                if request.method == Method.auditReport {
                    let params = try AuditReportRequest(json: request.params)
                    let now = WallClock.unixSeconds
                    frame = Frames.reply(
                        id: id,
                        .success(
                            try await Self.read { try await audit.report(since: params.since(now: now), now: now) }
                        ),
                        allocator: allocator
                    )
                } else {
                    frame = Frames.reply(
                        id: id,
                        .success(try await Self.read { try await audit.verify() }),
                        allocator: allocator
                    )
                }
            } catch {
                frame = Frames.error(id: id, error, allocator: allocator)
            }
            await send(frame)
        }
    }

    /// Runs a read of the audit database; a failure is `internal`, with the database's reason.
    private static func read<T: Sendable>(_ body: () async throws -> T) async throws(RPCError) -> T {
        do {
            return try await body()
        } catch {
            throw RPCError(.internal, "the audit log cannot be read: \(error)")
        }
    }
}
