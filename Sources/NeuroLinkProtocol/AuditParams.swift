extension AuditReportRequest {
    /// The longest window a report may cover: ten years.
    public static let maxWindowSeconds: Double = 315_360_000

    /// Parses `audit.report`'s params: `{"sinceSeconds"?: number}` (0 – ten years).
    public init(json: JSONValue?) throws(RPCError) {
        self.init()
        guard let json, json != .null else { return }
        guard let object = json.objectValue else { throw RPCError(.invalidParams, "params must be an object") }
        for key in object.keys where key != "sinceSeconds" {
            throw RPCError(.invalidParams, "params.\(key) is not a known parameter")
        }
        guard let value = object["sinceSeconds"], value != .null else { return }
        guard case .number(let seconds) = value, seconds.isFinite, (0...Self.maxWindowSeconds).contains(seconds) else {
            throw RPCError(
                .invalidParams,
                "params.sinceSeconds must be a number from 0 to \(Int(Self.maxWindowSeconds))"
            )
        }
        sinceSeconds = seconds
    }
}
