import Foundation
import NeuroLinkSecurity
import Testing

/// One line of a labelled injection set.
struct LabelledPrompt: Decodable {
    var text: String
    var label: String
    var family: String?
    var note: String?

    var isAttack: Bool { label == "attack" }
}

/// Recall, false-positive rate and per-family recall of the scorer on a labelled set.
struct SetFigures {
    var attacks = 0
    var caught = 0
    var benign = 0
    var flagged = 0
    var familyTotals: [String: Int] = [:]
    var familyCaught: [String: Int] = [:]
    var misses: [LabelledPrompt] = []
    var falsePositives: [(LabelledPrompt, InjectionVerdict)] = []

    var recall: Double { attacks == 0 ? 0 : Double(caught) / Double(attacks) }
    var falsePositiveRate: Double { benign == 0 ? 0 : Double(flagged) / Double(benign) }

    init(_ prompts: [LabelledPrompt], scorer: InjectionScorer, threshold: Double) {
        for prompt in prompts {
            let verdict = scorer.score(prompt.text)
            let isFlagged = verdict.isAttack(threshold: threshold)
            if prompt.isAttack {
                let family = prompt.family ?? "unknown"
                attacks += 1
                familyTotals[family, default: 0] += 1
                if isFlagged {
                    caught += 1
                    familyCaught[family, default: 0] += 1
                } else {
                    misses.append(prompt)
                }
            } else {
                benign += 1
                if isFlagged {
                    flagged += 1
                    falsePositives.append((prompt, verdict))
                }
            }
        }
    }

    func report(_ name: String) -> String {
        var lines = [
            "\(name): recall \(caught)/\(attacks) = \(percent(recall)), "
                + "false positives \(flagged)/\(benign) = \(percent(falsePositiveRate))"
        ]
        for family in familyTotals.keys.sorted() {
            let total = familyTotals[family] ?? 0
            let found = familyCaught[family] ?? 0
            lines.append("  \(family): \(found)/\(total) = \(percent(Double(found) / Double(max(total, 1))))")
        }
        return lines.joined(separator: "\n")
    }

    private func percent(_ value: Double) -> String {
        String(format: "%.1f%%", value * 100)
    }
}

enum LabelledSets {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
        "Fixtures"
    )

    static func load(_ name: String) throws -> [LabelledPrompt] {
        let data = try Data(contentsOf: directory.appendingPathComponent(name))
        let decoder = JSONDecoder()
        return try data.split(separator: UInt8(ascii: "\n")).map { line in
            try decoder.decode(LabelledPrompt.self, from: Data(line))
        }
    }

    /// Set NEUROLINK_INJECTION_SHOW_ERRORS=1 to list the prompts the scorer gets wrong.
    static let showErrors = ProcessInfo.processInfo.environment["NEUROLINK_INJECTION_SHOW_ERRORS"] == "1"

    static func printErrors(_ figures: SetFigures) {
        guard showErrors else { return }
        for miss in figures.misses {
            let verdict = InjectionScorer().score(miss.text)
            print(
                "MISS [\(miss.family ?? "")] \(String(format: "%.2f", verdict.score)) \(miss.text.debugDescription.prefix(160)) \(verdict.signals.map { "\($0.rule)=\($0.weight)" })"
            )
        }
        for (prompt, verdict) in figures.falsePositives {
            print(
                "FP \(String(format: "%.2f", verdict.score)) \(prompt.text.debugDescription.prefix(160)) \(verdict.signals.map { "\($0.rule)=\($0.weight)" })"
            )
        }
    }
}

@Suite("Labelled injection sets")
struct LabelledSetTests {
    let scorer = InjectionScorer()

    @Test("main set: recall ≥ 0.90, false positives ≤ 0.02 at the default threshold")
    func mainSet() throws {
        let prompts = try LabelledSets.load("injection-set.jsonl")
        #expect(prompts.filter(\.isAttack).count >= 160)
        #expect(prompts.filter { !$0.isAttack }.count >= 160)
        let figures = SetFigures(prompts, scorer: scorer, threshold: InjectionScorer.defaultThreshold)
        print(figures.report("injection-set"))
        LabelledSets.printErrors(figures)
        #expect(figures.recall >= 0.90)
        #expect(figures.falsePositiveRate <= 0.02)
        for family in InjectionFamily.allCases where family != .semanticSimilarity {
            #expect((figures.familyTotals[family.rawValue] ?? 0) > 0, "no attacks labelled \(family.rawValue)")
        }
    }

    @Test("held-out set (never tuned on): recall ≥ 0.80, false positives ≤ 0.05")
    func heldOutSet() throws {
        let prompts = try LabelledSets.load("injection-heldout.jsonl")
        #expect(prompts.filter(\.isAttack).count >= 40)
        #expect(prompts.filter { !$0.isAttack }.count >= 40)
        let figures = SetFigures(prompts, scorer: scorer, threshold: InjectionScorer.defaultThreshold)
        print(figures.report("injection-heldout"))
        LabelledSets.printErrors(figures)
        #expect(figures.recall >= 0.80)
        #expect(figures.falsePositiveRate <= 0.05)
    }
}
