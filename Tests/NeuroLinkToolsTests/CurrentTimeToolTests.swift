import Foundation
import NeuroLinkTestSupport
import Testing

@testable import NeuroLinkTools

@Suite struct CurrentTimeToolTests {
    private func reading(at unixSeconds: Double, _ argumentsJSON: String) async throws -> [String: String] {
        let tool = CurrentTimeTool(clock: { Date(timeIntervalSince1970: unixSeconds) })
        let text = try await tool.execute(argumentsJSON: argumentsJSON)
        return try JSONDecoder().decode([String: String].self, from: Data(text.utf8))
    }

    @Test func theExampleReadsAsDocumented() async throws {
        let tool = CurrentTimeTool(clock: { Date(timeIntervalSince1970: 1_796_217_300) })
        let text = try await tool.execute(argumentsJSON: #"{"timeZone":"America/New_York"}"#)
        #expect(text == #"{"time":"2026-12-02T08:15:00-05:00","timeZone":"America/New_York","weekday":"Wednesday"}"#)
    }

    @Test func utcIsTheDefault() async throws {
        for arguments in ["{}", "", "  ", #"{"timeZone":null}"#, #"{"timeZone":""}"#] {
            let result = try await reading(at: 1_796_217_300.999, arguments)
            #expect(result == ["time": "2026-12-02T13:15:00+00:00", "timeZone": "UTC", "weekday": "Wednesday"])
        }
    }

    @Test(arguments: [
        // New York: clocks skip 02:00–03:00 on 8 March and repeat 01:00–02:00 on 1 November 2026.
        ("America/New_York", 1_772_953_199.0, "2026-03-08T01:59:59-05:00", "Sunday"),
        ("America/New_York", 1_772_953_200, "2026-03-08T03:00:00-04:00", "Sunday"),
        ("America/New_York", 1_793_512_799, "2026-11-01T01:59:59-04:00", "Sunday"),
        ("America/New_York", 1_793_512_800, "2026-11-01T01:00:00-05:00", "Sunday"),
        ("Europe/London", 1_774_745_999, "2026-03-29T00:59:59+00:00", "Sunday"),
        ("Europe/London", 1_774_746_000, "2026-03-29T02:00:00+01:00", "Sunday"),
        // Lord Howe moves by half an hour.
        ("Australia/Lord_Howe", 1_791_041_399, "2026-10-04T01:59:59+10:30", "Sunday"),
        ("Australia/Lord_Howe", 1_791_041_400, "2026-10-04T02:30:00+11:00", "Sunday"),
        ("Australia/Sydney", 1_798_723_800, "2027-01-01T00:30:00+11:00", "Friday"),
        ("Asia/Kathmandu", 1_781_524_800, "2026-06-15T17:45:00+05:45", "Monday"),
        ("Pacific/Chatham", 1_767_225_600, "2026-01-01T13:45:00+13:45", "Thursday"),
        ("Pacific/Kiritimati", 1_796_217_300, "2026-12-03T03:15:00+14:00", "Thursday"),
        ("Pacific/Pago_Pago", 1_796_217_300, "2026-12-02T02:15:00-11:00", "Wednesday"),
        ("UTC", -0.5, "1969-12-31T23:59:59+00:00", "Wednesday"),
    ])
    func zonesAndDaylightSavingEdges(zone: String, unixSeconds: Double, time: String, weekday: String) async throws {
        let result = try await reading(at: unixSeconds, #"{"timeZone":\#(builtInJSONString(zone))}"#)
        #expect(result == ["time": time, "timeZone": zone, "weekday": weekday])
    }

    @Test func zoneNamesMatchWithoutRegardToCase() async throws {
        let result = try await reading(at: 1_796_217_300, #"{"timeZone":"america/new_york"}"#)
        #expect(result["timeZone"] == "America/New_York")
        #expect(try await reading(at: 0, #"{"timeZone":"utc"}"#)["timeZone"] == "UTC")
    }

    @Test func unknownZonesAndBadArgumentsAreToolErrors() async {
        let tool = CurrentTimeTool(clock: { Date(timeIntervalSince1970: 0) })
        let unknown = await builtInToolError(tool, #"{"timeZone":"Mars/Olympus_Mons"}"#)
        #expect(unknown?.message.contains("'Mars/Olympus_Mons'") == true)
        let long = await builtInToolError(
            tool,
            #"{"timeZone":\#(builtInJSONString(String(repeating: "A", count: 5000)))}"#
        )
        #expect((long?.message.count ?? .max) < 300)
        #expect(
            await builtInToolError(tool, #"{"timeZone":5}"#)?.message == "The argument 'timeZone' must be a string."
        )
        #expect(
            await builtInToolError(tool, #"{"zone":"UTC"}"#)?.message
                == "Unknown argument 'zone'; the arguments are 'timeZone'."
        )
        #expect(await builtInToolError(tool, "[]")?.message == "The arguments must be a JSON object.")
        #expect(await builtInToolError(tool, "{") != nil)
    }

    @Test func aClockOutsideFourDigitYearsIsAnError() async {
        for seconds in [1e15, -1e15, Double.infinity, Double.nan] {
            let tool = CurrentTimeTool(clock: { Date(timeIntervalSince1970: seconds) })
            #expect(await builtInToolError(tool, "{}") != nil)
        }
    }

    @Test func civilTimeAgreesWithTheGregorianCalendar() throws {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = try #require(TimeZone(identifier: "UTC"))
        var random = BuiltInToolsRandom(seed: 1970)
        // From 1600: Foundation's Gregorian calendar is Julian before October 1582.
        var samples = (0..<2000).map { _ in Int.random(in: -11_676_096_000...253_402_214_399, using: &random) }
        samples += [0, -1, 951_782_400, 1_709_164_800, -2_203_891_200, 253_402_214_399]
        for seconds in samples {
            let civil = CivilTime(unixSeconds: seconds, offset: 0)
            let parts = calendar.dateComponents(
                [.year, .month, .day, .hour, .minute, .second, .weekday],
                from: Date(timeIntervalSince1970: Double(seconds))
            )
            let expected = [parts.year, parts.month, parts.day, parts.hour, parts.minute, parts.second]
            #expect([civil.year, civil.month, civil.day, civil.hour, civil.minute, civil.second] == expected)
            #expect(civil.weekday + 1 == parts.weekday, "\(seconds)")
        }
    }

    @Test func offsetsPrintWithSignHoursMinutesAndRareSeconds() {
        #expect(CivilTime(unixSeconds: 0, offset: 0).iso8601 == "1970-01-01T00:00:00+00:00")
        #expect(CivilTime(unixSeconds: 0, offset: -12_600).iso8601 == "1969-12-31T20:30:00-03:30")
        // Amsterdam's mean time until 1937 was +00:19:32.
        #expect(CivilTime(unixSeconds: 0, offset: 1172).iso8601 == "1970-01-01T00:19:32+00:19:32")
        #expect(CivilTime(unixSeconds: -62_135_510_400, offset: 0).iso8601 == "0001-01-02T00:00:00+00:00")
        #expect(CivilTime(unixSeconds: 951_782_400, offset: 0).iso8601 == "2000-02-29T00:00:00+00:00")
    }
}
