import Foundation

/// `getCurrentTime`: the current local time in an IANA time zone.
///
/// Arguments: `timeZone` (string, optional; default `UTC`). Matched exactly first, then without
/// regard to case (`europe/paris` finds `Europe/Paris`).
///
/// Result: JSON text with sorted keys, e.g.
/// `{"time":"2026-12-02T08:15:00-05:00","timeZone":"America/New_York","weekday":"Wednesday"}`.
/// `time` is ISO 8601 to the whole second (truncated) with the zone's offset at that instant.
public struct CurrentTimeTool: BuiltInTool {
    public let name = "getCurrentTime"
    public let description = """
        Returns the current date and time in a time zone: ISO 8601 local time with its UTC offset, the zone \
        and the weekday.
        """
    public let parametersSchema = #"""
        {
          "type": "object",
          "properties": {
            "timeZone": {
              "type": "string",
              "maxLength": 64,
              "description": "IANA time zone name, such as \"America/New_York\" or \"Europe/Paris\". Default: \"UTC\"."
            }
          },
          "additionalProperties": false
        }
        """#

    private let clock: @Sendable () -> Date

    /// A tool reading the time from `clock` (the system clock by default).
    public init(clock: @escaping @Sendable () -> Date = { Date() }) {
        self.clock = clock
    }

    public func execute(argumentsJSON: String) async throws(ToolError) -> String {
        let arguments = try BuiltInArguments(json: argumentsJSON, accepted: ["timeZone"])
        let requested = try arguments.string("timeZone") ?? ""
        let (zone, zoneName) = try Self.zone(named: requested.isEmpty ? "UTC" : requested)
        let now = clock()
        let seconds = now.timeIntervalSince1970.rounded(.down)
        guard seconds.isFinite, let whole = Int(exactly: seconds), CivilTime.supportedSeconds.contains(whole) else {
            throw ToolError("The clock reads a time outside the years 1 to 9999.")
        }
        let civil = CivilTime(unixSeconds: whole, offset: zone.secondsFromGMT(for: now))
        return try BuiltInText.json(Reading(time: civil.iso8601, timeZone: zoneName, weekday: civil.weekdayName))
    }

    private struct Reading: Encodable {
        var time: String
        var timeZone: String
        var weekday: String
    }

    /// The zone called `name` and the name to report for it. Foundation reports "UTC" as "GMT";
    /// the caller's spelling is kept for names it matched exactly.
    static func zone(named name: String) throws(ToolError) -> (TimeZone, String) {
        // No IANA name is this long; refusing early keeps the case-insensitive scan bounded.
        if name.utf8.count <= 64 {
            if let zone = TimeZone(identifier: name) { return (zone, name) }
            let folded = name.lowercased()
            let known = ["UTC"] + TimeZone.knownTimeZoneIdentifiers
            if let match = known.first(where: { $0.lowercased() == folded }), let zone = TimeZone(identifier: match) {
                return (zone, match)
            }
        }
        let shown = BuiltInText.clipped(name, limit: 64)
        throw ToolError("Unknown time zone '\(shown)'. Use an IANA name such as \"Europe/Paris\" or \"UTC\".")
    }
}
