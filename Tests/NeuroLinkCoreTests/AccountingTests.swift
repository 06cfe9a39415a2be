import Foundation
import NeuroLinkCore
import NeuroLinkProtocol
import Testing

/// Prices, costs and token estimates.
@Suite struct AccountingTests {
    @Test func theShippedTableDecodesWithItsDate() {
        let table = PricingTable.shipped()
        #expect(table.taken.count == 10 && table.taken.hasPrefix("20"), "\(table.taken)")
        #expect(table.price(of: "gpt-4o-mini") != nil)
        #expect(table.price(of: "claude-3-5-haiku-20241022") != nil)
        #expect(table.price(of: "gemini-2.0-flash") != nil)
        #expect(table.price(of: "anthropic.claude-3-haiku-20240307-v1:0") != nil)
    }

    /// Every entry of the shipped file is in the table with its prices (the file read independently,
    /// with JSONSerialization), under a key no other entry has.
    @Test func theShippedTableHoldsEveryEntryOfTheFile() throws {
        let url = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/NeuroLinkCore/Accounting/pricing.json")
        let file = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any]
        let models = try #require(file?["models"] as? [[String: Any]])
        let table = PricingTable.shipped()
        #expect(table.taken == file?["taken"] as? String)
        var matches = Set<String>()
        for model in models {
            let match = try #require(model["match"] as? String)
            matches.insert(match)
            let price = table.price(of: match)
            #expect(price?.input == model["input"] as? Double, "\(match)")
            #expect(price?.output == model["output"] as? Double, "\(match)")
            #expect(price?.cachedInput == model["cachedInput"] as? Double, "\(match)")
        }
        #expect(matches.count == models.count && models.count > 100)
    }

    @Test func theLongestPrefixWinsAndUnknownModelsHaveNoCost() {
        let table = PricingTable(
            taken: "2026-01-01",
            entries: [
                "gpt-4o": ModelPrice(input: 2.5, output: 10),
                "gpt-4o-mini": ModelPrice(input: 0.15, output: 0.6),
            ]
        )
        #expect(table.price(of: "gpt-4o-2024-08-06")?.input == 2.5)
        #expect(table.price(of: "gpt-4o-mini-2024-07-18")?.input == 0.15)
        #expect(table.cost(of: Usage(inputTokens: 10, outputTokens: 10), model: "llama3.2") == nil)
        #expect(table.cost(of: nil, model: "gpt-4o") == nil)
    }

    /// The lookup by first byte finds what scanning every key for the longest prefix finds: each
    /// key, with a suffix and one byte short, keys sharing first bytes, non-ASCII, ids no key starts.
    @Test func theLookupAgreesWithTheLongestPrefixRule() {
        var entries: [String: ModelPrice] = [:]
        for (index, key) in ["gpt-4o", "gpt-4o-mini", "gpt-4", "o1", "o1-mini", "claude-3-5", "é-model", "ab"]
            .enumerated()
        {
            entries[key] = ModelPrice(input: Double(index + 1), output: 1)
        }
        let table = PricingTable(taken: "2026-01-01", entries: entries)
        func longestPrefix(_ model: String) -> Double? {
            entries.filter { model.utf8.starts(with: $0.key.utf8) }.max { $0.key.utf8.count < $1.key.utf8.count }?
                .value.input
        }
        var models = ["", "a", "x-unknown", "gpt", "o", "é", "é-model-2", "abc", "gpt-4o-mini-2024-07-18"]
        for key in entries.keys { models += [key, key + "-2025-01-01", String(key.dropLast())] }
        for model in models { #expect(table.price(of: model)?.input == longestPrefix(model), "\(model)") }
    }

    @Test func cachedInputIsChargedAtItsOwnPriceAndOverridesWin() throws {
        let table = PricingTable(
            taken: "2026-01-01",
            entries: ["m": ModelPrice(input: 1, output: 1)],
            overrides: ["m": ModelPrice(input: 2, output: 8, cachedInput: 0.5)]
        )
        let usage = Usage(inputTokens: 1_000_000, outputTokens: 500_000, cachedInputTokens: 400_000)
        // 600k × $2 + 400k × $0.5 + 500k × $8, per million.
        #expect(try #require(table.cost(of: usage, model: "m")) == 1.2 + 0.2 + 4)
    }

    @Test func pricingFromConfiguration() throws {
        let yaml = """
            pricing:
              my-model: { input: 1.5, output: 6, cached_input: 0.5 }
            analytics:
              enabled: false
              retention_days: 7
              sampling_rate: 0.5
              flush_interval_ms: 250
              queue_size: 100
            """
        let config = try ConfigLoader(environment: [:]).parse(yaml, file: nil)
        #expect(config.pricing["my-model"] == ModelPrice(input: 1.5, output: 6, cachedInput: 0.5))
        #expect(config.analytics.enabled == false)
        #expect(config.analytics.retentionDays == 7)
        #expect(config.analytics.samplingRate == 0.5)
        #expect(config.analytics.flushIntervalMs == 250)
        #expect(config.analytics.queueCapacity == 100)
        #expect(throws: ConfigError.self) {
            try ConfigLoader(environment: [:]).parse("pricing:\n  m: { input: 1 }", file: nil)
        }
        #expect(throws: ConfigError.self) {
            try ConfigLoader(environment: [:]).parse("analytics:\n  sampling_rate: 2", file: nil)
        }
    }

    @Test func theDefaultDatabaseFollowsTheStateDirectory() {
        #expect(
            ConfigLoader(environment: ["STATE_DIRECTORY": "/var/lib/neurolink"]).defaultAnalyticsPath(isRoot: false)
                == "/var/lib/neurolink/analytics.sqlite"
        )
        #expect(
            ConfigLoader(environment: [:]).defaultAnalyticsPath(isRoot: true) == "/var/lib/neurolink/analytics.sqlite"
        )
        #expect(
            ConfigLoader(environment: ["XDG_STATE_HOME": "/s", "HOME": "/h"]).defaultAnalyticsPath(isRoot: false)
                == "/s/neurolink/analytics.sqlite"
        )
        #expect(
            ConfigLoader(environment: ["HOME": "/h"]).defaultAnalyticsPath(isRoot: false)
                == "/h/.local/state/neurolink/analytics.sqlite"
        )
    }

    @Test func missingUsageIsEstimatedAndMarked() throws {
        let estimated = try #require(UsageEstimate.filling(nil, promptBytes: 41, answerBytes: 8))
        #expect(estimated.inputTokens == 11)
        #expect(estimated.outputTokens == 2)
        #expect(estimated.totalTokens == 13)
        #expect(estimated.estimated == true)
        // What the provider reported is kept as it is, zeros included; nothing to estimate from gives nothing.
        let reported = Usage(inputTokens: 3, outputTokens: 0)
        #expect(UsageEstimate.filling(reported, promptBytes: 100, answerBytes: 100) == reported)
        #expect(UsageEstimate.filling(nil, promptBytes: 0, answerBytes: 0) == nil)
    }
}
