import NeuroLinkProtocol

/// Model prices: the table shipped with the daemon (`Accounting/pricing.json`, with the date its
/// figures were taken) under the operator's `pricing:` entries. A model matches the entry whose
/// key is the longest prefix of its id (compared as UTF-8 bytes), so a dated snapshot
/// (`gpt-4o-2024-08-06`) is priced as its family (`gpt-4o`); a model no entry matches has no price,
/// and its cost is unknown, never 0.
public struct PricingTable: Sendable {
    /// The date the shipped figures were taken (`YYYY-MM-DD`).
    public let taken: String
    /// Entries by the first byte of their key, longest key first within each, so the first prefix
    /// found is the longest. Every request is priced once: comparing the model with each of the
    /// shipped table's 134 keys through `String.hasPrefix` (which compares characters) cost about
    /// 16,000 instructions a request; now it meets only the keys that start as it does, as bytes.
    private let entriesByFirstByte: [UInt8: [(match: [UInt8], price: ModelPrice)]]

    /// `overrides` (exact model ids or prefixes) win over the shipped entries with the same key.
    public init(taken: String, entries: [String: ModelPrice], overrides: [String: ModelPrice] = [:]) {
        self.taken = taken
        let merged = entries.merging(overrides) { _, configured in configured }
        var byFirstByte: [UInt8: [(match: [UInt8], price: ModelPrice)]] = [:]
        for (key, price) in merged {
            let match = Array(key.utf8)
            guard let first = match.first else { continue }  // The configuration refuses empty keys.
            byFirstByte[first, default: []].append((match, price))
        }
        // Two keys of one length cannot both be prefixes of a model: length alone orders them.
        entriesByFirstByte = byFirstByte.mapValues { bucket in bucket.sorted { $0.match.count > $1.match.count } }
    }

    /// The price of `model`, or `nil` when no entry matches it.
    public func price(of model: String) -> ModelPrice? {
        let id = model.utf8
        guard let first = id.first else { return nil }
        return entriesByFirstByte[first]?.first { id.starts(with: $0.match) }?.price
    }

    /// The cost of `usage` on `model` in US dollars, or `nil` when the model's price is unknown.
    public func cost(of usage: Usage?, model: String) -> Double? {
        guard let usage, let price = price(of: model) else { return nil }
        return price.cost(of: usage)
    }

    /// The table shipped with the daemon, with `overrides` from the configuration.
    public static func shipped(overrides: [String: ModelPrice] = [:]) -> PricingTable {
        let file = ShippedPricing.file
        return PricingTable(taken: file.taken, entries: file.entries, overrides: overrides)
    }
}

/// The shipped table, read once from the file embedded at build time.
enum ShippedPricing {
    typealias Table = (taken: String, entries: [String: ModelPrice])

    /// Read with the protocol's JSON parser while the daemon starts, as the injection rules are
    /// (`JSONDecoder` took 6.1 million instructions here, the parser 3.8). A file that does not read,
    /// or an entry of the wrong shape (a build-time mistake, which a unit test catches), yields an
    /// empty table rather than a daemon that cannot start.
    static let file: Table = PackageResources.pricing_json.withUnsafeBytes { read($0) } ?? ("unknown", [:])

    static func read(_ bytes: UnsafeRawBufferPointer) -> Table? {
        guard let file = (try? JSONValue(parsing: bytes))?.objectValue,
            let taken = file["taken"]?.stringValue,
            let models = file["models"]?.arrayValue
        else { return nil }
        var entries: [String: ModelPrice] = [:]
        for model in models {
            guard let fields = model.objectValue,
                let match = fields["match"]?.stringValue,
                let input = fields["input"]?.numberValue,
                let output = fields["output"]?.numberValue
            else { return nil }
            let cachedInput: Double?
            switch fields["cachedInput"] {
            case nil, .null?: cachedInput = nil
            case .number(let value)?: cachedInput = value
            default: return nil
            }
            let price = ModelPrice(input: input, output: output, cachedInput: cachedInput)
            if price.isValid { entries[match] = price }
        }
        return (taken, entries)
    }
}
