import NIOCore

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A request as the daemon reads it from one frame.
public struct InboundRequest: Sendable {
    /// `nil` for a notification (no `id` member): it gets no response.
    public var id: RPCID?
    public var method: String
    public var params: JSONValue?

    /// Parses one frame body. On failure returns the error to send and the id, if one could be read.
    public static func parse(_ frame: ByteBuffer) -> Result<InboundRequest, InboundFailure> {
        let json: JSONValue
        do {
            json = try JSONValue(parsing: frame)
        } catch {
            return .failure(
                InboundFailure(id: nil, error: RPCError(.parseError, "frame is not valid UTF-8 JSON: \(error)"))
            )
        }
        guard let object = json.objectValue else {
            let what =
                json.arrayValue != nil
                ? "batches are not supported; send one object per frame" : "a frame must hold one JSON object"
            return .failure(InboundFailure(id: nil, error: RPCError(.invalidRequest, what)))
        }
        var id: RPCID?
        if let rawID = object["id"], rawID != .null {
            guard let parsed = RPCID(json: rawID) else {
                return .failure(
                    InboundFailure(id: nil, error: RPCError(.invalidRequest, "id must be a string or an integer"))
                )
            }
            id = parsed
        }
        guard object["jsonrpc"]?.stringValue == ProtocolInfo.jsonrpc else {
            return .failure(InboundFailure(id: id, error: RPCError(.invalidRequest, #"jsonrpc must be "2.0""#)))
        }
        guard let method = object["method"]?.stringValue else {
            return .failure(InboundFailure(id: id, error: RPCError(.invalidRequest, "method must be a string")))
        }
        return .success(InboundRequest(id: id, method: method, params: object["params"]))
    }
}

/// Why a frame could not be read as a request, and the id to answer, when known.
public struct InboundFailure: Error, Sendable {
    public var id: RPCID?
    public var error: RPCError
}

/// A message as a client reads it: a chunk notification or a response.
public enum ClientInbound: Sendable {
    case chunk(StreamChunk)
    case success(id: RPCID, result: JSONValue)
    case failure(id: RPCID?, error: RPCError)
    /// A notification of a method this client does not know; to be ignored.
    case unknownNotification(method: String)

    /// Decodes one frame body: a text or reasoning chunk on the fast path, anything else with
    /// `JSONDecoder`.
    public static func parse(_ frame: ByteBuffer) throws -> ClientInbound {
        try parse(frame, fastPath: true)
    }

    /// - Parameter fastPath: `false` decodes every frame with `JSONDecoder`, which the fast path
    ///   must agree with: for differential tests and fuzzing only.
    @_spi(FastPath) public static func parse(_ frame: ByteBuffer, fastPath: Bool) throws -> ClientInbound {
        if fastPath, let chunk = ContentChunk.read(frame) { return .chunk(chunk) }
        return try JSONDecoder().decode(Wire.self, from: Data(frame.readableBytesView)).message
    }

    private struct Wire: Decodable {
        let message: ClientInbound

        enum CodingKeys: String, CodingKey { case id, method, params, result, error }

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            if let method = try c.decodeIfPresent(String.self, forKey: .method) {
                message =
                    method == Method.streamChunk
                    ? .chunk(try c.decode(StreamChunk.self, forKey: .params))
                    : .unknownNotification(method: method)
            } else if let error = try c.decodeIfPresent(RPCError.self, forKey: .error) {
                message = .failure(id: try c.decodeIfPresent(RPCID.self, forKey: .id), error: error)
            } else {
                message = .success(
                    id: try c.decode(RPCID.self, forKey: .id),
                    result: try c.decode(JSONValue.self, forKey: .result)
                )
            }
        }
    }
}

extension JSONValue {
    /// Converts this value to a `Decodable` type (used for the rare, non-hot-path results).
    public func decode<T: Decodable>(as type: T.Type) throws -> T {
        try JSONDecoder().decode(T.self, from: JSONEncoder().encode(self))
    }
}
