import Foundation

/// Anthropic Messages SSE: named events, content blocks, tool input as partial JSON.
struct AnthropicRenderer: WireRenderer {
    var providerType = "anthropic"
    var extraConfig: String { "    api_key_env: TEST_AZURE_KEY" }

    func render(_ script: WireScript, model: String) -> String {
        var out = ""
        func event(_ name: String, _ data: [String: Any]) {
            var body = data
            body["type"] = name
            out += "event: \(name)\ndata: \(json(body))\n\n"
        }
        event(
            "message_start",
            [
                "message": [
                    "id": "msg_1", "type": "message", "role": "assistant", "model": model, "content": [],
                    "stop_reason": NSNull(), "stop_sequence": NSNull(),
                    "usage": ["input_tokens": script.usage.input, "output_tokens": 1],
                ]
            ]
        )
        event("content_block_start", ["index": 0, "content_block": ["type": "text", "text": ""]])
        event("ping", [:])
        for (index, piece) in script.pieces.enumerated() {
            if script.inStreamErrorAfter == index {
                event("error", ["error": ["type": "overloaded_error", "message": "Overloaded"]])
                return out
            }
            event("content_block_delta", ["index": 0, "delta": ["type": "text_delta", "text": piece]])
        }
        event("content_block_stop", ["index": 0])
        if let call = script.toolCall {
            event(
                "content_block_start",
                ["index": 1, "content_block": ["type": "tool_use", "id": call.id, "name": call.name, "input": [:]]]
            )
            for fragment in call.fragments {
                event(
                    "content_block_delta",
                    ["index": 1, "delta": ["type": "input_json_delta", "partial_json": fragment]]
                )
            }
            event("content_block_stop", ["index": 1])
        }
        let stop = ["stop": "end_turn", "length": "max_tokens", "tool_calls": "tool_use"][script.finish] ?? "end_turn"
        event(
            "message_delta",
            [
                "delta": ["stop_reason": stop, "stop_sequence": NSNull()],
                "usage": ["output_tokens": script.usage.output],
            ]
        )
        event("message_stop", [:])
        return out
    }
}

/// Gemini `streamGenerateContent?alt=sse`: whole responses per event, `\r\n\r\n` separators, no [DONE].
struct GeminiRenderer: WireRenderer {
    var providerType = "google-ai"
    var extraConfig: String { "    api_key_env: TEST_AZURE_KEY" }

    func render(_ script: WireScript, model: String) -> String {
        func textEvent(_ text: String) -> [String: Any] {
            [
                "candidates": [["content": ["parts": [["text": text]], "role": "model"], "index": 0]],
                "modelVersion": model,
            ]
        }
        if let cut = script.inStreamErrorAfter {
            // Gemini reports a failure mid-stream as a google.rpc status in place of a response.
            let error = ["error": ["code": 500, "message": "Internal error encountered.", "status": "INTERNAL"]]
            return (script.pieces.prefix(cut).map(textEvent) + [error]).map { "data: \(json($0))\r\n\r\n" }.joined()
        }
        var events: [[String: Any]] = script.pieces.map(textEvent)
        if let call = script.toolCall {
            let arguments = (try? JSONSerialization.jsonObject(with: Data(call.arguments.utf8))) ?? [:]
            events.append([
                "candidates": [
                    [
                        "content": [
                            "parts": [["functionCall": ["name": call.name, "args": arguments]]], "role": "model",
                        ], "index": 0,
                    ]
                ]
            ])
        }
        let reason = script.finish == "length" ? "MAX_TOKENS" : "STOP"
        events.append([
            "candidates": [
                ["content": ["parts": [["text": ""]], "role": "model"], "finishReason": reason, "index": 0]
            ],
            "usageMetadata": [
                "promptTokenCount": script.usage.input, "candidatesTokenCount": script.usage.output,
                "totalTokenCount": script.usageTotal,
            ],
        ])
        return events.map { "data: \(json($0))\r\n\r\n" }.joined()
    }
}

/// Ollama's native `/api/chat`: one JSON object per line, a final `done` record with counts.
struct OllamaRenderer: WireRenderer {
    var providerType = "ollama"

    func render(_ script: WireScript, model: String) -> String {
        func textLine(_ text: String) -> [String: Any] {
            [
                "model": model, "created_at": "2026-01-01T00:00:00Z",
                "message": ["role": "assistant", "content": text],
                "done": false,
            ]
        }
        if let cut = script.inStreamErrorAfter {
            // Ollama reports a failure mid-stream as a record holding only `error`.
            let error: [String: Any] = ["error": "an error was encountered while running the model"]
            return (script.pieces.prefix(cut).map(textLine) + [error]).map { json($0) + "\n" }.joined()
        }
        var lines: [[String: Any]] = script.pieces.map(textLine)
        if let call = script.toolCall {
            let arguments = (try? JSONSerialization.jsonObject(with: Data(call.arguments.utf8))) ?? [:]
            lines.append([
                "model": model, "created_at": "2026-01-01T00:00:00Z",
                "message": [
                    "role": "assistant", "content": "",
                    "tool_calls": [["function": ["name": call.name, "arguments": arguments]]],
                ],
                "done": false,
            ])
        }
        lines.append([
            "model": model, "created_at": "2026-01-01T00:00:00Z", "message": ["role": "assistant", "content": ""],
            "done": true, "done_reason": script.finish == "length" ? "length" : "stop",
            "prompt_eval_count": script.usage.input, "eval_count": script.usage.output,
        ])
        return lines.map { json($0) + "\n" }.joined()
    }
}
