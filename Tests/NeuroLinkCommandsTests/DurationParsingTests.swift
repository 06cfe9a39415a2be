import Testing

@testable import NeuroLinkCommands

@Suite struct DurationParsingTests {
    @Test(
        arguments: [
            ("30s", 30_000),
            ("2m", 120_000),
            ("1500ms", 1500),
            ("1.5", 1500),
            ("1h", 3_600_000),
            ("0.5h", 1_800_000),
            ("1.5s", 1500),
            ("10", 10_000),
            ("1ms", 1),
            ("0", nil),
            ("0s", nil),
            ("0ms", nil),
            ("abc", nil),
            ("-1s", nil),
            ("-5", nil),
            ("", nil),
            ("s", nil),
            ("ms", nil),
            ("10x", nil),
            ("1 s", nil),
            ("nan", nil),
            ("nans", nil),
        ] as [(String, Int?)]
    )
    func milliseconds(_ text: String, _ expected: Int?) {
        #expect(DurationParsing.milliseconds(text) == expected)
    }
}
