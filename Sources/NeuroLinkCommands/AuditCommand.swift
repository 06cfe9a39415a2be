import ArgumentParser
import FoundationEssentials
import NeuroLinkClient
import NeuroLinkProtocol

/// `nlctl audit verify | report`: the tamper-evident log of security events (root and
/// `server.admin_group` only).
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Verify the audit log's hash chain, or report security events (admins only).",
        subcommands: [Verify.self, Report.self]
    )

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "verify",
            abstract: "Recompute the hash chain; name the first row that does not match (exit 1 when one does not)."
        )
        @OptionGroup var connection: ConnectionOptions
        @Flag(help: "Print the result as JSON.") var json = false

        func run() async throws {
            let result = try await CacheCommand.call(connection) { try await $0.auditVerify() }
            try CacheCommand.print(json ? try AnalyticsView.json(result) + "\n" : AuditView.verification(result))
            guard result.ok else { throw ExitCode(NLExit.failure) }
        }
    }

    struct Report: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "report",
            abstract: "Security events by tenant and type, the top rules, and recommendations."
        )
        enum Format: String, ExpressibleByArgument, CaseIterable { case table, json }

        @OptionGroup var connection: ConnectionOptions
        @Option(help: "The window: a time ago (30m, 24h, 7d).") var since = "24h"
        @Option(help: "The window in hours (instead of --since).") var hours: Double?
        @Option(help: "table or json.") var format = Format.table
        @Option(help: "Also write the report as JSON to this file.") var exportReport: String?
        @Flag(help: "Add what the daemon recommends, from the events.") var includeRecommendations = false

        func run() async throws {
            let seconds = try window()
            var report = try await CacheCommand.call(connection) {
                try await $0.auditReport(AuditReportRequest(sinceSeconds: seconds))
            }
            if !includeRecommendations { report.recommendations = [] }
            let json = try AnalyticsView.json(report) + "\n"
            if let exportReport {
                do {
                    try json.write(toFile: exportReport, atomically: true, encoding: .utf8)
                } catch {
                    Terminal.diagnostic("nlctl: cannot write \(exportReport): \(fileErrorReason(error))")
                    throw ExitCode(NLExit.ioError)
                }
            }
            try CacheCommand.print(format == .json ? json : AuditView.table(report))
        }

        private func window() throws -> Double {
            if let hours {
                guard hours.isFinite, hours >= 0, hours <= AuditReportRequest.maxWindowSeconds / 3600 else {
                    throw ValidationError("--hours must be a number of hours from 0 to ten years")
                }
                return hours * 3600
            }
            let now = Date()
            guard let start = AnalyticsRange.instant(since, now: now) else {
                throw ValidationError("--since: expected a time ago (30m, 24h, 7d), got \(since)")
            }
            return now.timeIntervalSince1970 - start
        }
    }
}

/// How `nlctl audit` prints.
enum AuditView {
    static func verification(_ result: AuditVerification) -> String {
        let head = result.headId.map { "; head: row \($0), hash \(result.headHash ?? "-")" } ?? ""
        guard result.ok else {
            return "audit log NOT intact (\(result.rows) rows checked): \(result.problem ?? "mismatch")\(head)\n"
        }
        return "audit log intact: \(result.rows) rows\(head)\n"
    }

    static func table(_ report: AuditReport) -> String {
        let span = String(cFormat: "%.1f h", (report.until - report.since) / 3600)
        var text = "\(report.total) security events in the last \(span)\n"
        if !report.counts.isEmpty {
            let rows = report.counts.map { [$0.tenant ?? "-", $0.type.rawValue, "\($0.count)"] }
            text += StatusView.table([["tenant", "event", "count"]] + rows).joined(separator: "\n") + "\n"
        }
        if !report.topRules.isEmpty {
            text += "\ntop rules:\n"
            text +=
                StatusView.table([["rule", "count"]] + report.topRules.map { [$0.rule, "\($0.count)"] })
                .joined(separator: "\n") + "\n"
        }
        if !report.recommendations.isEmpty {
            text += "\nrecommendations:\n" + report.recommendations.map { "- \($0)\n" }.joined()
        }
        return text
    }
}
