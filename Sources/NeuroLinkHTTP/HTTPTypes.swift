import NeuroLinkBasics

/// One HTTP header field.
public struct HTTPHeader: Sendable, Hashable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

extension Array where Element == HTTPHeader {
    /// The first value of a header, matched case-insensitively.
    public func first(named name: String) -> String? {
        let wanted = name.lowercased()
        return first { $0.name.lowercased() == wanted }?.value
    }
}

/// Limits on how long each phase of a transfer may take. `nil` disables a limit.
public struct TransferTimeouts: Sendable, Hashable {
    public var connect: Duration?
    /// From starting the transfer to the first body byte.
    public var firstByte: Duration?
    /// Longest gap between body bytes (not counted while the transfer is paused by back-pressure).
    public var idle: Duration?
    public var total: Duration?

    public init(connect: Duration? = nil, firstByte: Duration? = nil, idle: Duration? = nil, total: Duration? = nil) {
        self.connect = connect
        self.firstByte = firstByte
        self.idle = idle
        self.total = total
    }
}

/// An outbound HTTP request.
public struct HTTPRequest: Sendable {
    public var method: String
    public var url: String
    public var headers: [HTTPHeader]
    public var body: [UInt8]?
    public var timeouts: TransferTimeouts

    public init(
        method: String = "POST",
        url: String,
        headers: [HTTPHeader] = [],
        body: [UInt8]? = nil,
        timeouts: TransferTimeouts = TransferTimeouts()
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeouts = timeouts
    }
}

/// Status and headers of a response.
public struct ResponseHead: Sendable {
    public var status: Int
    public var headers: [HTTPHeader]

    public init(status: Int, headers: [HTTPHeader]) {
        self.status = status
        self.headers = headers
    }
}

/// Why a transfer ended without completing.
public enum TransferError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Phase: String, Sendable, Hashable {
        case connect
        case firstByte = "first_chunk"
        case idle
        case total
    }

    case timeout(Phase)
    /// The transfer stayed paused by back-pressure (its own buffer or the daemon-wide budget)
    /// for longer than `limit` because its consumer took nothing: the consumer, not the upstream,
    /// stalled. Its buffered bytes are dropped; the upstream connection is closed.
    case paused(limit: Duration)
    /// A connection or protocol failure; `message` is libcurl's, which never contains credentials.
    case network(code: Int, message: String)
    case cancelled
    /// The HTTP engine is stopping or was never started.
    case shutdown

    public var description: String {
        switch self {
        case .timeout(let phase): "\(phase.rawValue) timeout"
        case .paused(let limit):
            "paused for more than \(limit.wholeMilliseconds(rounding: .down)) ms: the consumer read nothing"
        case .network(let code, let message): "network error \(code): \(message)"
        case .cancelled: "cancelled"
        case .shutdown: "HTTP engine is shut down"
        }
    }
}

/// What a transfer yields, in order: one `head`, then `body` pieces.
public enum TransferEvent: Sendable {
    case head(ResponseHead)
    case body([UInt8])
}

/// The buffer budget's state, for `status`: what in-flight transfers hold for slow consumers.
public struct StreamBufferSnapshot: Sendable, Hashable {
    /// Body bytes buffered now by all in-flight transfers for consumers that have not taken them.
    public var bufferedBytes: Int
    /// The daemon-wide budget for those bytes.
    public var budgetBytes: Int
    /// Highest total the budget counted since the engine started. An upper bound: drains are
    /// counted late while the budget is not under pressure.
    public var peakBufferedBytes: Int
    /// Transfers in flight.
    public var activeTransfers: Int
    /// Transfers paused now, by their own buffer or by the budget.
    public var pausedTransfers: Int
    /// Transfers the budget holds back now (paused, or marked as the heaviest).
    public var budgetHeldTransfers: Int
    /// Transfers ended with ``TransferError/paused(limit:)`` since the engine started.
    public var pausedTimeouts: Int

    /// A snapshot; only `budgetBytes` is required (an idle or stopped engine reports zeros).
    public init(
        bufferedBytes: Int = 0,
        budgetBytes: Int,
        peakBufferedBytes: Int = 0,
        activeTransfers: Int = 0,
        pausedTransfers: Int = 0,
        budgetHeldTransfers: Int = 0,
        pausedTimeouts: Int = 0
    ) {
        self.bufferedBytes = bufferedBytes
        self.budgetBytes = budgetBytes
        self.peakBufferedBytes = peakBufferedBytes
        self.activeTransfers = activeTransfers
        self.pausedTransfers = pausedTransfers
        self.budgetHeldTransfers = budgetHeldTransfers
        self.pausedTimeouts = pausedTimeouts
    }
}
