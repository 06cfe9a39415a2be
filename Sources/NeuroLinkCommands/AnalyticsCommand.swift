import ArgumentParser
import FoundationEssentials
import NeuroLinkClient
import NeuroLinkProtocol

/// `nlctl analytics`: reports and exports of the requests the daemon recorded.
struct AnalyticsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analytics",
        abstract: "Report on or export the requests the daemon recorded.",
        subcommands: [AnalyticsReportCommand.self, AnalyticsExportCommand.self]
    )
}

/// The time range options both subcommands share.
struct AnalyticsRange: ParsableArguments {
    @Option(help: "Start: a time ago (90s, 30m, 1h, 7d) or an ISO 8601 time (2026-12-01T00:00:00Z).")
    var since: String = "1h"
    @Option(help: "End, in the same forms as --since (default: now).") var until: String?

    /// Both ends in seconds since 1970.
    func resolved(now: Date = Date()) throws -> (since: Double, until: Double?) {
        guard let since = Self.instant(since, now: now) else {
            throw ValidationError("--since: expected a time ago (30m, 1h, 7d) or an ISO 8601 time, got \(since)")
        }
        guard let until else { return (since, nil) }
        guard let end = Self.instant(until, now: now) else {
            throw ValidationError("--until: expected a time ago (30m, 1h, 7d) or an ISO 8601 time, got \(until)")
        }
        return (since, end)
    }

    static func instant(_ text: String, now: Date) -> Double? {
        if let date = try? Date(text, strategy: .iso8601) { return date.timeIntervalSince1970 }
        let units: [(String, Double)] = [("s", 1), ("m", 60), ("h", 3600), ("d", 86_400)]
        guard let unit = units.first(where: { text.hasSuffix($0.0) }), let value = Double(text.dropLast()),
            value.isFinite, value >= 0, value * unit.1 <= now.timeIntervalSince1970
        else { return nil }
        return now.timeIntervalSince1970 - value * unit.1
    }
}

struct AnalyticsReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Requests, success rate, latency percentiles, tokens and cost per group."
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case table, json, csv }

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var range: AnalyticsRange
    @Option(help: "Group by provider, model, tenant, pool, member, error or hour.") var by = "provider"
    @Option(help: "table, json or csv.") var format = Format.table

    func run() async throws {
        let (since, until) = try range.resolved()
        guard let grouping = AnalyticsReportRequest.Grouping(rawValue: by) else {
            let known = AnalyticsReportRequest.Grouping.allCases.map(\.rawValue).joined(separator: ", ")
            throw ValidationError("--by must be one of \(known)")
        }
        let report: AnalyticsReport
        do {
            report = try await NeuroLinkClient.withConnection(socketPath: connection.socket) {
                try await $0.analyticsReport(AnalyticsReportRequest(since: since, until: until, by: grouping))
            }
        } catch {
            throw NLExit.report(error)
        }
        do {
            switch format {
            case .table: try Terminal.standardOutput(AnalyticsView.table(report))
            case .csv: try Terminal.standardOutput(AnalyticsView.csv(report))
            case .json: try Terminal.standardOutput(try AnalyticsView.json(report) + "\n")
            }
        } catch let closed as OutputClosed {
            throw NLExit.report(closed)
        }
    }
}

struct AnalyticsExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Every recorded request in the range, one per line (JSON Lines) or as CSV, fetched page by page."
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case jsonl, csv }

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var range: AnalyticsRange
    @Option(help: "jsonl or csv.") var format = Format.jsonl

    func run() async throws {
        let (since, end) = try range.resolved()
        // A fixed end, so that pages fetched one after the other describe one range.
        let until = end ?? Date().timeIntervalSince1970
        do {
            try await NeuroLinkClient.withConnection(socketPath: connection.socket) { client in
                var request = AnalyticsExportRequest(since: since, until: until, limit: 500)
                if format == .csv { try Terminal.standardOutput(AnalyticsView.csvHeader) }
                while true {
                    let page = try await client.analyticsExport(request)
                    for row in page.rows {
                        try Terminal.standardOutput(
                            format == .csv ? AnalyticsView.csvLine(row) : AnalyticsView.jsonLine(row)
                        )
                    }
                    guard let next = page.next else { return }
                    request.after = next
                }
            }
        } catch let closed as OutputClosed {
            throw NLExit.report(closed)
        } catch {
            throw NLExit.report(error)
        }
    }
}
