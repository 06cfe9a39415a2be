import Foundation

/// OpenAI Chat Completions SSE, as OpenAI and compatible servers send it.
struct OpenAIRenderer: WireRenderer {
    var providerType = "openai-compatible"

    func render(_ script: WireScript, model: String) -> String {
        var events: [String] = prelude()
        func chunk(_ delta: [String: Any], finish: String? = nil) -> String {
            json([
                "id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1_700_000_000, "model": model,
                "choices": [
                    [
                        "index": 0, "delta": delta, "logprobs": NSNull(),
                        "finish_reason": finish.map { $0 as Any } ?? NSNull(),
                    ]
                ],
            ])
        }
        events.append(chunk(["role": "assistant", "content": "", "refusal": NSNull()]))
        for piece in script.reasoning { events.append(chunk(["reasoning_content": piece])) }
        for (index, piece) in script.pieces.enumerated() {
            if script.inStreamErrorAfter == index {
                events.append(
                    json([
                        "error": [
                            "message": "The server had an error", "type": "server_error", "param": NSNull(),
                            "code": NSNull(),
                        ]
                    ])
                )
                return events.map { "data: \($0)\n\n" }.joined()
            }
            events.append(chunk(["content": piece]))
        }
        if let call = script.toolCall {
            events.append(
                chunk([
                    "tool_calls": [
                        [
                            "index": 0, "id": call.id, "type": "function",
                            "function": ["name": call.name, "arguments": ""],
                        ]
                    ]
                ])
            )
            for fragment in call.fragments {
                events.append(chunk(["tool_calls": [["index": 0, "function": ["arguments": fragment]]]]))
            }
        }
        events.append(chunk([:], finish: script.finish))
        events.append(
            json([
                "id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1_700_000_000, "model": model,
                "choices": [],
                "usage": [
                    "prompt_tokens": script.usage.input, "completion_tokens": script.usage.output,
                    "total_tokens": script.usageTotal,
                ],
            ])
        )
        return events.map { "data: \($0)\n\n" }.joined() + "data: [DONE]\n\n"
    }

    func prelude() -> [String] { [] }
}

/// Azure OpenAI: the OpenAI stream after an identity-less first event with prompt filter results.
struct AzureRenderer: WireRenderer {
    var providerType = "azure"
    var extraConfig: String { "    api_version: \"2024-10-21\"\n    api_key_env: TEST_AZURE_KEY" }

    func render(_ script: WireScript, model: String) -> String {
        let filter = json([
            "choices": [], "created": 0, "id": "", "model": "", "object": "",
            "prompt_filter_results": [
                [
                    "prompt_index": 0,
                    "content_filter_results": [
                        "hate": ["filtered": false, "severity": "safe"]
                    ],
                ]
            ],
        ])
        return "data: \(filter)\n\n" + OpenAIRenderer().render(script, model: model)
    }
}
