import Foundation
import NeuroLinkProviders

/// Bedrock ConverseStream: binary event-stream frames with real CRCs, tool input as JSON fragments,
/// `messageStop` then `metadata`.
struct BedrockRenderer: WireRenderer {
    var providerType = "bedrock"
    var extraConfig: String { "    region: us-east-1" }
    var environment: [String: String] {
        ["AWS_ACCESS_KEY_ID": "AKIDTESTEXAMPLE", "AWS_SECRET_ACCESS_KEY": "test-secret-key", "AWS_SESSION_TOKEN": ""]
    }

    /// Event-stream bytes are not text; this exists for the protocol only.
    func render(_ script: WireScript, model: String) -> String {
        String(decoding: renderBytes(script, model: model), as: UTF8.self)
    }

    func renderBytes(_ script: WireScript, model: String) -> [UInt8] {
        var out: [UInt8] = []
        func event(_ type: String, _ payload: [String: Any]) {
            var body = payload
            body["p"] = "abcdefgh"  // Bedrock's padding field, which clients ignore
            out += Self.frame(
                [(":event-type", type), (":content-type", "application/json"), (":message-type", "event")],
                payload: Array(json(body).utf8)
            )
        }
        event("messageStart", ["role": "assistant"])
        for (index, piece) in script.pieces.enumerated() {
            if script.inStreamErrorAfter == index {
                out += Self.frame(
                    [
                        (":exception-type", "serviceUnavailableException"), (":content-type", "application/json"),
                        (":message-type", "exception"),
                    ],
                    payload: Array(json(["message": "unavailable"]).utf8)
                )
                return out
            }
            event("contentBlockDelta", ["contentBlockIndex": 0, "delta": ["text": piece]])
        }
        event("contentBlockStop", ["contentBlockIndex": 0])
        if let call = script.toolCall {
            event(
                "contentBlockStart",
                ["contentBlockIndex": 1, "start": ["toolUse": ["toolUseId": call.id, "name": call.name]]]
            )
            for fragment in call.fragments {
                event("contentBlockDelta", ["contentBlockIndex": 1, "delta": ["toolUse": ["input": fragment]]])
            }
            event("contentBlockStop", ["contentBlockIndex": 1])
        }
        let stop = ["stop": "end_turn", "length": "max_tokens", "tool_calls": "tool_use"][script.finish] ?? "end_turn"
        event("messageStop", ["stopReason": stop])
        event(
            "metadata",
            [
                "usage": [
                    "inputTokens": script.usage.input, "outputTokens": script.usage.output,
                    "totalTokens": script.usageTotal,
                ],
                "metrics": ["latencyMs": 12],
            ]
        )
        return out
    }

    /// One frame: prelude with its CRC, string headers, payload, message CRC.
    static func frame(_ headers: [(String, String)], payload: [UInt8]) -> [UInt8] {
        func u32(_ value: Int) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: value >> (24 - 8 * $0)) } }
        var headerBytes: [UInt8] = []
        for (name, value) in headers {
            let utf8 = Array(value.utf8)
            headerBytes +=
                [UInt8(name.utf8.count)] + Array(name.utf8) + [7, UInt8(utf8.count >> 8), UInt8(utf8.count & 0xFF)]
                + utf8
        }
        var message = u32(12 + headerBytes.count + payload.count + 4) + u32(headerBytes.count)
        message += u32(Int(CRC32.checksum(message)))
        message += headerBytes + payload
        return message + u32(Int(CRC32.checksum(message)))
    }
}
