import Foundation
import NeuroLinkProtocol
import Testing

/// Token counts stay within `0...Usage.maxTokens` however they are made, added or decoded.
@Suite struct UsageTests {
    static let max = Usage.maxTokens

    @Test func theMaximumIsWhatEveryJSONReaderHoldsExactly() {
        #expect(Self.max == (1 << 53) - 1)
        #expect(Double(Self.max) == 9_007_199_254_740_991)
    }

    @Test func countsAreClampedWhenMade() {
        let huge = Usage(
            inputTokens: .max,
            outputTokens: .max,
            cachedInputTokens: .max,
            reasoningTokens: .max
        )
        #expect(
            huge
                == Usage(
                    inputTokens: Self.max,
                    outputTokens: Self.max,
                    totalTokens: Self.max,
                    cachedInputTokens: Self.max,
                    reasoningTokens: Self.max
                )
        )
        let negative = Usage(inputTokens: .min, outputTokens: -1, totalTokens: -5, cachedInputTokens: -1)
        #expect(negative == Usage(inputTokens: 0, outputTokens: 0, totalTokens: 0, cachedInputTokens: 0))
        #expect(Usage(inputTokens: 3, outputTokens: 4).totalTokens == 7)
        #expect(Usage(inputTokens: Self.max, outputTokens: 1).totalTokens == Self.max)
    }

    @Test func sumsSaturate() {
        let huge = Usage(inputTokens: Self.max - 1, outputTokens: Self.max, reasoningTokens: 5)
        var total = huge
        for _ in 0..<3 { total = total.adding(huge) }
        #expect(
            total == Usage(inputTokens: Self.max, outputTokens: Self.max, totalTokens: Self.max, reasoningTokens: 20)
        )
        let small = Usage(inputTokens: 1, outputTokens: 2, cachedInputTokens: 1).adding(
            Usage(inputTokens: 3, outputTokens: 4)
        )
        #expect(small == Usage(inputTokens: 4, outputTokens: 6, totalTokens: 10, cachedInputTokens: 1))
        #expect(Usage(inputTokens: 1).adding(Usage(reasoningTokens: 2)).reasoningTokens == 2)
    }

    @Test(arguments: [
        (
            #"{"inputTokens":9223372036854775807,"outputTokens":-9223372036854775808,"totalTokens":1e300}"#,
            Usage(inputTokens: Usage.maxTokens, outputTokens: 0, totalTokens: Usage.maxTokens)
        ),
        (
            #"{"inputTokens":9.223372036854776e18,"outputTokens":-1e300,"totalTokens":12.9}"#,
            Usage(inputTokens: Usage.maxTokens, outputTokens: 0, totalTokens: 12)
        ),
        (#"{"inputTokens":3,"outputTokens":4}"#, Usage(inputTokens: 3, outputTokens: 4, totalTokens: 7)),
        (
            #"{"inputTokens":3,"outputTokens":4,"totalTokens":7,"cachedInputTokens":null,"reasoningTokens":-2}"#,
            Usage(inputTokens: 3, outputTokens: 4, totalTokens: 7, reasoningTokens: 0)
        ),
    ])
    func decodingClampsAnyNumber(_ json: String, _ expected: Usage) throws {
        #expect(try JSONDecoder().decode(Usage.self, from: Data(json.utf8)) == expected)
    }

    @Test func aCountThatIsNotANumberFailsToDecode() {
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(Usage.self, from: Data(#"{"inputTokens":"many","outputTokens":1}"#.utf8))
        }
    }

    @Test func encodingRoundTrips() throws {
        let usage = Usage(inputTokens: Self.max, outputTokens: 2, cachedInputTokens: 1)
        let data = try JSONEncoder().encode(usage)
        #expect(try JSONDecoder().decode(Usage.self, from: data) == usage)
    }
}

/// Client number params at their extremes are refused with `invalid_params`, never clamped or trapped on.
@Suite struct ParamNumbersTests {
    @Test(arguments: [
        ("maxTokens", "9223372036854775807"), ("maxTokens", "-9223372036854775808"), ("maxTokens", "1e300"),
        ("maxTokens", "9007199254740993"), ("maxTokens", "0"), ("maxTokens", "1.5"), ("timeoutMs", "1e20"),
        ("timeoutMs", "-1"), ("timeoutMs", "86400001"), ("priority", "10"), ("priority", "-1e-300"),
        ("temperature", "1e308"), ("temperature", "-0.0000001"), ("temperature", "2.0000001"),
    ])
    func outOfRangeNumbersAreInvalidParams(_ name: String, _ number: String) throws {
        let text = #"{"input":{"text":"a"},"\#(name)":\#(number)}"#
        let value = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
        let error = #expect(throws: RPCError.self, "\(name): \(number)") { try StreamRequest(json: value) }
        #expect(error?.type == .invalidParams)
        #expect(error?.message.contains("params.\(name) must be") == true, "\(error?.message ?? "-")")
    }

    @Test func boundaryValuesAreAccepted() throws {
        let text = #"{"input":{"text":"a"},"maxTokens":1e7,"timeoutMs":86400000,"priority":9,"temperature":2}"#
        let request = try StreamRequest(json: try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)))
        #expect(request.maxTokens == 10_000_000 && request.timeoutMs == 86_400_000 && request.priority == 9)
    }

    @Test(arguments: ["9e15", "1e300", "-9223372036854775808", "1.5"])
    func idsOutsideTheIntegerRangeAreNotIds(_ number: String) throws {
        let value = try JSONDecoder().decode(JSONValue.self, from: Data(number.utf8))
        #expect(RPCID(json: value) == nil, "\(number)")
    }
}
