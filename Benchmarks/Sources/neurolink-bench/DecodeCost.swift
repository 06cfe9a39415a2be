@_spi(FastPath) import NeuroLinkProviders

/// What decoding one provider event costs, in this process: an OpenAI `chat.completion.chunk` of one
/// word, as the loopback upstream and OpenAI send it (one SSE event per piece), through the stream
/// decoder the daemon uses: events that repeat the last one but for their text, as a stream's do
/// (the decoder's `EventTemplate`); events that do not (two completions' ids in turn), on the fast
/// path; and, for reference, with `JSONDecoder` only.
enum DecodeCost {
    struct Run: Sendable {
        let events: Int
        /// Nanoseconds per event, best of three rounds.
        let repeatedNs: Double
        let fastNs: Double
        let fullNs: Double
    }

    static let words = ["Hello", " world", ",", " this", " is", " a", " streamed", " answer", " from", " the", "."]

    /// One SSE event per word, shaped like OpenAI's (id, fingerprint, `logprobs` and `usage` nulls).
    static let pieces = events(id: "chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT")
    /// The same with another completion's id: taken in turn with `pieces`, no event repeats the last.
    static let otherPieces = events(id: "chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcU")

    private static func events(id: String) -> [[UInt8]] {
        words.map { word in
            Array(
                (#"data: {"id":"\#(id)","object":"chat.completion.chunk","#
                    + #""created":1741570283,"model":"gpt-4o-2024-08-06","system_fingerprint":"fp_4d06c4a9c5","#
                    + #""choices":[{"index":0,"delta":{"content":"\#(word)"},"logprobs":null,"finish_reason":null}],"#
                    + #""usage":null}"# + "\n\n").utf8
            )
        }
    }

    static func run(events: Int) throws -> Run {
        Run(
            events: events,
            repeatedNs: try bestOfThree(events: events, fastPath: true, repeating: true),
            fastNs: try bestOfThree(events: events, fastPath: true, repeating: false),
            fullNs: try bestOfThree(events: events / 10, fastPath: false, repeating: true)
        )
    }

    private static func bestOfThree(events: Int, fastPath: Bool, repeating: Bool) throws -> Double {
        var best = Double.infinity
        var decoded = 0
        for _ in 0..<3 {
            var decoder = OpenAIStreamDecoder(provider: "bench", fastPath: fastPath)
            var output: [ProviderEvent] = []
            let start = ContinuousClock.now
            for index in 0..<events {
                output.removeAll(keepingCapacity: true)
                let source = repeating || index.isMultiple(of: 2) ? pieces : otherPieces
                try decoder.decode(source[index % source.count], into: &output)
                decoded += output.count
            }
            best = min(best, Double((ContinuousClock.now - start) / .nanoseconds(1)) / Double(events))
        }
        // Each event holds one text delta (the first also the model): nothing was skipped.
        guard decoded >= 3 * events else { throw BenchError.failed("the decoder produced \(decoded) events") }
        return best
    }

    static func tableRows(_ run: Run) -> [String] {
        [
            "| Provider event decoding, in process, per OpenAI chunk event: repeating the last but for its text / "
                + "fast path / `JSONDecoder` | \(fmt(run.repeatedNs / 1000, 2)) / \(fmt(run.fastNs / 1000, 2)) / "
                + "\(fmt(run.fullNs / 1000, 2)) µs | (reference) | |"
        ]
    }
}
