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

    public init(method: String = "POST", url: String, headers: [HTTPHeader] = [], body: [UInt8]? = nil,
                timeouts: TransferTimeouts = TransferTimeouts()) {
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
        case connect, firstByte = "first_chunk", idle, total
    }

    case timeout(Phase)
    /// A connection or protocol failure; `message` is libcurl's, which never contains credentials.
    case network(code: Int, message: String)
    case cancelled
    /// The HTTP engine is stopping or was never started.
    case shutdown

    public var description: String {
        switch self {
        case .timeout(let phase): "\(phase.rawValue) timeout"
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
