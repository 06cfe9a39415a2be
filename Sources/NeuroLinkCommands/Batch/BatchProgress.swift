import FoundationEssentials
import NeuroLinkProtocol

/// A batch's running totals.
struct BatchTally: Sendable, Equatable {
    var done = 0
    var failed = 0
    var tokens = 0
    /// US dollars, summed over the results whose model has a price; `nil` while none had.
    var cost: Double?

    mutating func count(_ outcome: BatchOutcome) {
        done += 1
        switch outcome.result {
        case .success(let result):
            tokens += result.usage?.totalTokens ?? 0
            if let price = result.cost { cost = (cost ?? 0) + price }
        case .failure:
            failed += 1
        }
    }
}

/// The progress and summary lines of `nlctl batch`, as text.
enum BatchProgressText {
    /// `[########------------] 42/100 · 12.3/s · ETA 5s · 1 failed`, for the terminal's status line.
    static func bar(_ tally: BatchTally, total: Int?, elapsed: Duration) -> String {
        var parts: [String] = []
        if let total, total > 0 {
            let filled = min(20, tally.done * 20 / total)
            parts.append(
                "[" + String(repeating: "#", count: filled) + String(repeating: "-", count: 20 - filled) + "] "
                    + "\(tally.done)/\(total)"
            )
        } else {
            parts.append("\(tally.done) done")
        }
        let rate = Self.rate(tally, elapsed: elapsed)
        parts.append(String(cFormat: "%.1f/s", rate))
        if let total, rate > 0, total > tally.done {
            parts.append("ETA " + Self.clock(Double(total - tally.done) / rate))
        }
        if tally.failed > 0 { parts.append("\(tally.failed) failed") }
        return parts.joined(separator: " · ")
    }

    /// `nlctl batch: 40/100 (40%) · 12.3/s · 1 failed`, for a log.
    static func line(_ tally: BatchTally, total: Int, elapsed: Duration) -> String {
        let percent = total > 0 ? tally.done * 100 / total : 100
        var text = "nlctl batch: \(tally.done)/\(total) (\(percent)%) · "
        text += String(cFormat: "%.1f/s", rate(tally, elapsed: elapsed))
        return text + (tally.failed > 0 ? " · \(tally.failed) failed" : "")
    }

    /// `batch: 100 done, 1 failed, 8.1 s, 12345 tokens, $0.012345`.
    static func summary(_ tally: BatchTally, elapsed: Duration, interrupted: Bool) -> String {
        var parts = [
            "batch\(interrupted ? " interrupted" : ""): \(tally.done) done", "\(tally.failed) failed",
            String(cFormat: "%.1f s", seconds(elapsed)), "\(tally.tokens) tokens",
        ]
        if let cost = tally.cost { parts.append(String(cFormat: "$%.6f", cost)) }
        return parts.joined(separator: ", ")
    }

    static func rate(_ tally: BatchTally, elapsed: Duration) -> Double {
        let time = seconds(elapsed)
        return time > 0 ? Double(tally.done) / time : 0
    }

    /// `5s`, `2m05s`, `1h02m`.
    static func clock(_ seconds: Double) -> String {
        let whole = Int(min(seconds.rounded(.up), 359_999))
        if whole < 60 { return "\(whole)s" }
        if whole < 3600 { return String(cFormat: "%ldm%02lds", whole / 60, whole % 60) }
        return String(cFormat: "%ldh%02ldm", whole / 3600, whole % 3600 / 60)
    }

    static func seconds(_ duration: Duration) -> Double {
        let parts = duration.components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }
}

/// Shows a batch's progress on stderr: a bar redrawn in place on a terminal (at most ten times a
/// second), a line at every tenth of the way otherwise, or nothing with `--quiet`.
struct BatchProgress {
    enum Style { case bar, lines, none }

    let style: Style
    let total: Int?
    private let start = ContinuousClock.now
    private var lastDraw: ContinuousClock.Instant?
    private var lastTenth = 0
    private var barShown = false

    init(quiet: Bool, total: Int?) {
        self.total = total
        if quiet {
            style = .none
        } else if Terminal.stderrIsTerminal {
            style = .bar
        } else {
            style = total == nil ? .none : .lines
        }
    }

    var elapsed: Duration { ContinuousClock.now - start }

    /// After each result: redraws the bar when due, or prints the next tenth's line.
    mutating func update(_ tally: BatchTally) throws(OutputClosed) {
        switch style {
        case .bar:
            let now = ContinuousClock.now
            if barShown, let lastDraw, now - lastDraw < .milliseconds(100), tally.done != total { return }
            lastDraw = now
            barShown = true
            try Terminal.standardErrorText(
                "\r" + BatchProgressText.bar(tally, total: total, elapsed: elapsed) + "\u{1B}[K"
            )
        case .lines:
            guard let total, total > 0 else { return }
            let tenth = tally.done * 10 / total
            guard tenth > lastTenth else { return }
            lastTenth = tenth
            try Terminal.standardError(BatchProgressText.line(tally, total: total, elapsed: elapsed))
        case .none:
            return
        }
    }

    /// Clears the bar so a record written to the same terminal starts on a clean line.
    mutating func stepAside() throws(OutputClosed) {
        guard barShown else { return }
        barShown = false
        try Terminal.standardErrorText("\r\u{1B}[K")
    }

    /// Replaces the bar with the summary line.
    mutating func finish(_ tally: BatchTally, interrupted: Bool) throws(OutputClosed) {
        try stepAside()
        try Terminal.standardError(BatchProgressText.summary(tally, elapsed: elapsed, interrupted: interrupted))
    }
}
