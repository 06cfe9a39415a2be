import Foundation
import Logging
import NeuroLinkAnalytics
import NeuroLinkCore
import NeuroLinkLimits
import NeuroLinkProtocol
import Testing

/// The store and its writer in-process: every outcome stored, reports computed in SQL that agree
/// with the same figures computed here, tenants kept apart, paging, drops, sampling and retention.
@Suite struct AnalyticsStoreTests {
    static func writer(_ settings: DaemonConfig.Analytics = DaemonConfig.Analytics()) throws -> AnalyticsWriter {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("nl-analytics-\(UUID().uuidString)/analytics.sqlite").path
        return AnalyticsWriter(store: try AnalyticsStore(path: path), settings: settings, logger: Logger(label: "test"))
    }

    static func record(
        _ index: Int,
        tenant: String = "alice",
        model: String = "gpt-4o-mini",
        outcome: RequestRecord.Outcome = .success,
        startedAt: Double = Date().timeIntervalSince1970
    ) -> RequestRecord {
        var record = RequestRecord(
            requestId: .number(Int64(index)),
            method: "stream",
            caller: Caller(uid: 1000, gid: 1000, tenant: TenantKey(tenant)),
            startedAt: startedAt
        )
        record.provider = "openai"
        record.model = model
        record.outcome = outcome
        record.durationMs = Double(100 + (index * 37) % 900)
        record.timeToFirstChunkMs = Double(20 + (index * 13) % 300)
        if outcome == .success {
            record.usage = Usage(inputTokens: 10 + index, outputTokens: 50 + index)
            record.cost = 0.001 * Double(index)
        } else {
            record.errorType = outcome == .cancelled ? ErrorType.cancelled : ErrorType.upstreamError
        }
        return record
    }

    @Test func everyOutcomeIsStoredAndTheReportMatchesAnIndependentComputation() async throws {
        let writer = try Self.writer()
        let outcomes: [RequestRecord.Outcome] = [
            .success, .error, .rejected, .queueTimeout, .cancelled, .clientGone, .shutDown,
        ]
        var records: [RequestRecord] = []
        for index in 0..<70 {
            let record = Self.record(
                index,
                model: index % 2 == 0 ? "gpt-4o-mini" : "local",
                outcome: outcomes[index % outcomes.count]
            )
            records.append(record)
            writer.record(record)
        }
        await writer.flush()
        #expect(writer.counters.written == 70)
        #expect(try writer.store.count() == 70)

        let page = try await writer.store.export(
            AnalyticsExportRequest(since: 0, limit: 1000),
            until: 1e12,
            visibility: .all
        )
        #expect(Set(page.rows.compactMap { $0["outcome"]?.stringValue }) == Set(outcomes.map(\.rawValue)))

        let report = try await writer.store.report(
            AnalyticsReportRequest(since: 0, by: .model),
            until: Date().timeIntervalSince1970 + 1,
            visibility: .all
        )
        for model in ["gpt-4o-mini", "local"] {
            let mine = records.filter { $0.model == model }
            let group = try #require(report.groups.first { $0.key == model })
            #expect(group.requests == mine.count)
            #expect(group.succeeded == mine.filter { $0.outcome == .success }.count)
            #expect(group.inputTokens == mine.reduce(0) { $0 + ($1.usage?.inputTokens ?? 0) })
            #expect(group.outputTokens == mine.reduce(0) { $0 + ($1.usage?.outputTokens ?? 0) })
            let cost = mine.compactMap(\.cost).reduce(0, +)
            #expect(abs((group.cost ?? 0) - cost) < 1e-9)
            let durations = mine.map(\.durationMs).sorted()
            let ttfc = mine.compactMap(\.timeToFirstChunkMs).sorted()
            for share in [0.50, 0.95, 0.99] {
                let rank = Int((share * Double(durations.count)).rounded(.up)) - 1
                let expected = (durations[rank], ttfc[Int((share * Double(ttfc.count)).rounded(.up)) - 1])
                let got: (Double?, Double?) =
                    switch share {
                    case 0.50: (group.durationMs.p50, group.timeToFirstChunkMs?.p50)
                    case 0.95: (group.durationMs.p95, group.timeToFirstChunkMs?.p95)
                    default: (group.durationMs.p99, group.timeToFirstChunkMs?.p99)
                    }
                #expect(got.0 == expected.0 && got.1 == expected.1, "p\(Int(share * 100)) of \(model)")
            }
            let errors = Dictionary(grouping: mine.compactMap(\.errorType?.rawValue), by: { $0 }).mapValues(\.count)
            #expect(Dictionary(uniqueKeysWithValues: group.topErrors.map { ($0.type, $0.count) }) == errors)
        }
        // Half the requests failed: the report says so.
        #expect(report.recommendations.contains { $0.contains("retry policy") }, "\(report.recommendations)")
    }

    @Test func aTenantSeesOnlyItsOwnRows() async throws {
        let writer = try Self.writer()
        for index in 0..<6 { writer.record(Self.record(index, tenant: index < 2 ? "alice" : "bob")) }
        await writer.flush()
        let request = AnalyticsReportRequest(since: 0, by: .tenant)
        let alice = try await writer.store.report(request, until: 1e12, visibility: .tenant("alice"))
        #expect(alice.groups.map(\.key) == ["alice"])
        #expect(alice.groups.first?.requests == 2)
        let all = try await writer.store.report(request, until: 1e12, visibility: .all)
        #expect(all.groups.map(\.key) == ["bob", "alice"])
        let exported = try await writer.store.export(
            AnalyticsExportRequest(since: 0),
            until: 1e12,
            visibility: .tenant("bob")
        )
        #expect(exported.rows.count == 4)
        #expect(exported.rows.allSatisfy { $0["tenant"] == .string("bob") })
    }

    @Test func exportPagesThroughEveryRowOnce() async throws {
        let writer = try Self.writer()
        for index in 0..<25 { writer.record(Self.record(index)) }
        await writer.flush()
        var request = AnalyticsExportRequest(since: 0, limit: 10)
        var ids: [String] = []
        var pages = 0
        while true {
            let page = try await writer.store.export(request, until: 1e12, visibility: .all)
            pages += 1
            ids += page.rows.compactMap { $0["request_id"]?.stringValue }
            guard let next = page.next else { break }
            request.after = next
        }
        #expect(pages == 3)
        #expect(ids == (0..<25).map { "\($0)" })
    }

    @Test func aFullQueueDropsRowsAndCountsThem() async throws {
        var settings = DaemonConfig.Analytics()
        settings.queueCapacity = 5
        let writer = try Self.writer(settings)
        for index in 0..<8 { writer.record(Self.record(index)) }
        #expect(writer.counters.queued == 5)
        #expect(writer.counters.dropped == 3)
        await writer.flush()
        #expect(writer.counters.written == 5)
        #expect(try writer.store.count() == 5)
    }

    /// At shutdown the writer's loop is cancelled, possibly in the middle of a write; the rows that
    /// write had taken from the queue must still reach the database (GRDB gives up on a cancelled
    /// task's access, and the rows were once counted lost instead).
    @Test func aFlushInACancelledTaskStillWritesItsRows() async throws {
        let writer = try Self.writer()
        for index in 0..<3 { writer.record(Self.record(index)) }
        let cancelled = Task {
            // Cancelled before this sleep ends, so the flush below runs in a cancelled task.
            try? await Task.sleep(for: .seconds(60))
            await writer.flush()
        }
        cancelled.cancel()
        await cancelled.value
        #expect(writer.counters.dropped == 0)
        #expect(writer.counters.written == 3)
        #expect(try writer.store.count() == 3)
    }

    @Test func samplingRateZeroRecordsNothing() async throws {
        var settings = DaemonConfig.Analytics()
        settings.samplingRate = 0
        let writer = try Self.writer(settings)
        for index in 0..<4 { writer.record(Self.record(index)) }
        await writer.flush()
        #expect(writer.counters.sampledOut == 4)
        #expect(try writer.store.count() == 0)
    }

    @Test func rowsPastTheRetentionAreDeletedAndTheDatabaseReopens() async throws {
        var settings = DaemonConfig.Analytics()
        settings.retentionDays = 30
        let writer = try Self.writer(settings)
        let now = Date()
        writer.record(Self.record(1, startedAt: now.timeIntervalSince1970 - 31 * 86_400))
        writer.record(Self.record(2, startedAt: now.timeIntervalSince1970 - 29 * 86_400))
        await writer.flush()
        await writer.pruneIfDue(now: now)
        #expect(try writer.store.count() == 1)
        // Opening the same file again applies no migration twice and keeps the rows.
        let reopened = try AnalyticsStore(path: writer.store.path)
        #expect(try reopened.count() == 1)
    }
}
