import Testing

@testable import NeuroLinkCommands

/// `--timeout` values that used to crash nlctl or produce a value the daemon rejects.
@Suite struct RegressionDurationTests {
    @Test(arguments: ["inf", "infs", "1e20s", "nan", "0.0004", "0.4ms", "25h"])
    func outOfRangeDurationsAreRejected(_ text: String) {
        #expect(DurationParsing.milliseconds(text) == nil)
    }
}
