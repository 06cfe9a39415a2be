import Foundation
import Logging
import NeuroLinkAnalytics
import NeuroLinkCore
import NeuroLinkLimits
import NeuroLinkProtocol

/// The analytics writer's capacity, in this process: rows recorded as the daemon records them
/// (`record` per request, one transaction per batch of 512, as when requests arrive faster than
/// the flush interval), into a new database file. Reports rows per second and the file's size.
enum WriterCapacity {
    struct Run: Sendable {
        let rows: Int
        let seconds: Double
        /// The database and its WAL after the last write.
        let bytes: Int64
        let dropped: Int
    }

    static func run(rows: Int) async throws -> Run {
        let directory = "/tmp/nlb-writer-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var settings = DaemonConfig.Analytics()
        settings.queueCapacity = 10_000
        let writer = AnalyticsWriter(
            store: try AnalyticsStore(path: directory + "/analytics.sqlite"),
            settings: settings,
            logger: Logger(label: "bench")
        )
        let records = (0..<1024).map(record)
        let started = ContinuousClock.now
        for index in 0..<rows {
            writer.record(records[index % records.count])
            if index % 512 == 511 { await writer.flush() }
        }
        await writer.flush()
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let files = try FileManager.default.contentsOfDirectory(atPath: directory)
        let bytes = try files.reduce(Int64(0)) { total, name in
            let size = try FileManager.default.attributesOfItem(atPath: directory + "/" + name)[.size] as? Int64
            return total + (size ?? 0)
        }
        return Run(rows: rows, seconds: seconds, bytes: bytes, dropped: writer.counters.dropped)
    }

    /// A realistic row: a pool member, attempts, usage, cost and a small context.
    private static func record(_ index: Int) -> RequestRecord {
        var record = RequestRecord(
            requestId: .number(Int64(index)),
            method: "stream",
            caller: Caller(uid: 1000, gid: 1000, username: "alice", tenant: TenantKey("tenant-\(index % 16)")),
            startedAt: Date().timeIntervalSince1970
        )
        record.context = [
            "userId": .string("user-\(index % 100)"), "sessionId": .string("s-\(index)"), "app": .string("bench"),
        ]
        record.provider = "openai"
        record.model = "gpt-4o-mini-2024-07-18"
        record.pool = "chat"
        record.member = "openai/gpt-4o-mini"
        record.attempts = [RouteInfo.Attempt(member: "openai/gpt-4o-mini", outcome: "ok")]
        record.timeToFirstChunkMs = 300 + Double(index % 200)
        record.durationMs = 2000 + Double(index % 1000)
        record.chunks = 120
        record.bytesSent = 24_000
        record.usage = Usage(inputTokens: 400 + index % 50, outputTokens: 300 + index % 80)
        record.cost = 0.000_24
        record.finishReason = .stop
        return record
    }

    static func tableRows(_ run: Run) -> [String] {
        let perSecond = Double(run.rows) / run.seconds
        let perMillion = Double(run.bytes) / Double(run.rows) * 1_000_000 / 1_048_576
        return [
            "| Analytics writer: rows per second (batches of 512) | \(Int(perSecond).formatted()) | (reference) |",
            "| Analytics database size per million rows | \(Int(perMillion.rounded()).formatted()) MiB | (reference) |",
        ]
    }
}
