#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Peeks into JSON-RPC messages the HTTP transport must react to, without the SDK's types.
enum JSONRPCProbe {
    private struct Request: Decodable {
        let method: String?
    }

    private struct InitializeResponse: Decodable {
        struct Result: Decodable {
            let protocolVersion: String
        }

        let result: Result
    }

    /// The `method` of a request or notification; nil for responses, batches and invalid JSON.
    static func method(of message: Data) -> String? {
        (try? JSONDecoder().decode(Request.self, from: message))?.method
    }

    /// The protocol version an initialize response agreed on, to send in later requests' headers.
    static func protocolVersion(of message: Data) -> String? {
        (try? JSONDecoder().decode(InitializeResponse.self, from: message))?.result.protocolVersion
    }
}
