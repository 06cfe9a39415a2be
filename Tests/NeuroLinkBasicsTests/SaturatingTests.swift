import NeuroLinkBasics
import Testing

@Suite struct SaturatingIntTests {
    @Test func sumsStickToTheBounds() {
        #expect(Int.max.addingSaturating(1) == .max)
        #expect(Int.max.addingSaturating(Int.max) == .max)
        #expect(Int.min.addingSaturating(-1) == .min)
        #expect(Int.min.addingSaturating(Int.min) == .min)
        #expect(Int.max.addingSaturating(Int.min) == -1)
        #expect(40.addingSaturating(2) == 42)
        var counter = Int.max - 1
        counter.addSaturating(5)
        counter.addSaturating(5)
        #expect(counter == .max)
    }

    @Test func differencesAndProductsStickToTheBounds() {
        #expect(Int.min.subtractingSaturating(1) == .min)
        #expect(Int.max.subtractingSaturating(-1) == .max)
        #expect(0.subtractingSaturating(Int.min) == .max)
        #expect(5.subtractingSaturating(7) == -2)
        #expect(Int.max.multipliedSaturating(by: 2) == .max)
        #expect(Int.max.multipliedSaturating(by: -2) == .min)
        #expect(Int.min.multipliedSaturating(by: -1) == .max)
        #expect(Int.min.multipliedSaturating(by: 2) == .min)
        #expect(6.multipliedSaturating(by: -7) == -42)
    }

    @Test func doublesConvertWithoutTrapping() {
        #expect(Int(saturating: .nan) == 0)
        #expect(Int(saturating: -.nan) == 0)
        #expect(Int(saturating: .infinity) == .max)
        #expect(Int(saturating: -.infinity) == .min)
        #expect(Int(saturating: 1e300) == .max)
        #expect(Int(saturating: -1e300) == .min)
        #expect(Int(saturating: Double(Int.max)) == .max)
        #expect(Int(saturating: Double(Int.min)) == .min)
        #expect(Int(saturating: 9_223_372_036_854_774_784.0) == 9_223_372_036_854_774_784)
        #expect(Int(saturating: 2.7) == 2)
        #expect(Int(saturating: -2.7) == -2)
        #expect(Int(saturating: 2.1, rounding: .up) == 3)
        #expect(Int(saturating: -2.1, rounding: .down) == -3)
        #expect(Int(saturating: .greatestFiniteMagnitude, rounding: .up) == .max)
        #expect(Int(saturating: .leastNonzeroMagnitude, rounding: .up) == 1)
    }

    @Test func negativeCountsBecomeZero() {
        #expect(Int.min.nonNegative == 0)
        #expect((-1).nonNegative == 0)
        #expect(Int.max.nonNegative == .max)
    }
}

@Suite struct SaturatingDurationTests {
    @Test func wholeMillisecondsRoundAsAsked() {
        #expect(Duration.zero.wholeMilliseconds() == 0)
        #expect(Duration.nanoseconds(1).wholeMilliseconds() == 1)
        #expect(Duration.nanoseconds(1).wholeMilliseconds(rounding: .down) == 0)
        #expect(Duration.nanoseconds(-1).wholeMilliseconds() == 0)
        #expect(Duration.nanoseconds(-1).wholeMilliseconds(rounding: .down) == -1)
        #expect(Duration.milliseconds(1500).wholeMilliseconds() == 1500)
        #expect(Duration.microseconds(1500).wholeMilliseconds() == 2)
        #expect(Duration.microseconds(1500).wholeMilliseconds(rounding: .down) == 1)
        #expect(Duration.microseconds(-1500).wholeMilliseconds() == -1)
        #expect(Duration.microseconds(-1500).wholeMilliseconds(rounding: .down) == -2)
    }

    @Test func wholeMillisecondsSaturateWhereIntEnds() {
        // 3.6 × 10¹⁸ s (999999999999999h): its milliseconds do not fit in an Int.
        let absurd = Duration.seconds(Int64(3_599_999_999_999_996_400))
        #expect(absurd.wholeMilliseconds() == .max)
        #expect((.zero - absurd).wholeMilliseconds() == .min)
        let largest = Duration(secondsComponent: .max, attosecondsComponent: 999_999_999_999_999_999)
        #expect(largest.wholeMilliseconds() == .max)
        #expect(largest.wholeMilliseconds(rounding: .down) == .max)
        #expect(Duration(secondsComponent: .min, attosecondsComponent: 0).wholeMilliseconds() == .min)
        #expect(Duration.milliseconds(Int64.max).wholeMilliseconds() == .max)
        #expect(Duration.milliseconds(Int64.min).wholeMilliseconds() == .min)
    }

    @Test func fractionalValuesAreForDisplay() {
        #expect(Duration.milliseconds(1500).secondsValue == 1.5)
        #expect(Duration.microseconds(1500).millisecondsValue == 1.5)
        #expect(Duration.seconds(Int64.max).secondsValue.isFinite)
    }

    @Test func secondsFromDoublesAreClamped() {
        let range = Duration.zero...Duration.seconds(86_400)
        #expect(Duration.seconds(saturating: .nan, in: range) == .zero)
        #expect(Duration.seconds(saturating: -1, in: range) == .zero)
        #expect(Duration.seconds(saturating: .infinity, in: range) == .seconds(86_400))
        #expect(Duration.seconds(saturating: 1e300, in: range) == .seconds(86_400))
        #expect(Duration.seconds(saturating: 1.5, in: range) == .milliseconds(1500))
        #expect(Duration.milliseconds(saturating: .max) == .milliseconds(Int64.max))
        #expect(Duration.milliseconds(saturating: .min) == .milliseconds(Int64.min))
        #expect(Duration.seconds(100_000).clamped(to: range) == .seconds(86_400))
    }

    @Test func millisecondsLeftIsNeverNegative() {
        let now = ContinuousClock.now
        #expect((now - .seconds(5)).millisecondsLeft(after: now) == 0)
        #expect(now.millisecondsLeft(after: now) == 0)
        #expect((now + .microseconds(1)).millisecondsLeft(after: now) == 1)
        #expect((now + .seconds(Int64(3_599_999_999_999_996_400))).millisecondsLeft(after: now) == .max)
    }
}
