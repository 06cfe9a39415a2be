#!/usr/bin/env python3
"""Writes the seed corpora under Fuzz/Corpus/<target>/ (run from anywhere; deterministic).

Seeds are small, realistic wire samples (docs and provider-wire-formats reference). Every harness
input except `config` and `headers` starts with a control byte (see FuzzInput.swift): an even digit
('0' '2' '4' '6') means raw wire bytes, an odd one ('1' '3' '5' '7') the harness's alternate mode;
the digit also picks how the bytes are cut into reads.
"""
import json
import os
import struct
import zlib

ROOT = os.path.dirname(os.path.abspath(__file__))


def write(target, name, data):
    os.makedirs(os.path.join(ROOT, target), exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(ROOT, target, name), "wb") as f:
        f.write(data)


def sse(*objects, crlf=False):
    end = "\r\n\r\n" if crlf else "\n\n"
    return "".join("data: " + (o if isinstance(o, str) else json.dumps(o, separators=(",", ":"))) + end
                   for o in objects)


# --- event-stream helpers --------------------------------------------------------------------
def string_header(name, value):
    n, v = name.encode(), value.encode()
    return bytes([len(n)]) + n + b"\x07" + struct.pack(">H", len(v)) + v


def es_message(headers, payload):
    prelude = struct.pack(">II", 12 + len(headers) + len(payload) + 4, len(headers))
    prelude += struct.pack(">I", zlib.crc32(prelude))
    body = prelude + headers + payload
    return body + struct.pack(">I", zlib.crc32(body))


def event(kind, payload, content_type="application/json"):
    headers = (string_header(":event-type", kind) + string_header(":content-type", content_type)
               + string_header(":message-type", "event"))
    return es_message(headers, payload if isinstance(payload, bytes) else json.dumps(payload).encode())


def text_spec(records):
    """The harness's text description of event-stream messages: header line, LF, payload; NUL between."""
    return b"\x00".join(h.encode() + b"\n" + (p if isinstance(p, bytes) else p.encode()) for h, p in records)


def payload_parts(stream, cuts):
    parts, start = [], 0
    for cut in cuts + [len(stream)]:
        parts.append(stream[start:cut])
        start = cut
    return parts


# --- SSE and NDJSON --------------------------------------------------------------------------
write("sse", "openai", "6" + sse({"choices": [{"delta": {"content": "Hel"}}]}, {"choices": [{"delta": {"content": "lo"}}]}, "[DONE]"))
write("sse", "named-events-crlf", "0event: message_start\r\ndata: {\"type\":\"message_start\"}\r\n\r\n: keep-alive\r\nevent: ping\r\ndata: {}\r\n\r\n")
write("sse", "multiline-cr", "2data: first\rdata: second\r\rid: 7\rretry: 1000\rdata:third\r\r")
# Found by the smoke: two data lines of one event that together pass the harness's 16-byte limit.
write("sse", "regression-event-data-over-limit", "2data: first\rdata: second\r\rid: 7\rretry: 1000\rdata:%etry: 1000\rdata:%third\r\r")
write("sse", "gemini-utf8", "4" + sse({"candidates": [{"content": {"parts": [{"text": "héllo 👋 世界"}]}}]}, crlf=True))
write("sse", "partial", "6data: unterminated\nevent: x\ndata")

write("ndjson", "ollama", "6" + "\n".join(json.dumps(o) for o in [
    {"model": "llama3.2", "message": {"role": "assistant", "content": "Hi"}, "done": False},
    {"model": "llama3.2", "message": {"role": "assistant", "content": ""}, "done": True, "done_reason": "stop"}]) + "\n")
write("ndjson", "crlf-blank", "0{\"a\":1}\r\n\r\n  \t\r\n{\"b\":\"\xc3\xa9\"}\r\n")
write("ndjson", "no-final-newline", "2{\"a\":1}\n{\"b\":2}")
write("ndjson", "lone-cr", "4line with\rinner cr\n\r")

# --- event-stream framing --------------------------------------------------------------------
all_types = (bytes([3]) + b"yes" + b"\x00" + bytes([2]) + b"no" + b"\x01" + bytes([1]) + b"b" + b"\x02\xff"
             + bytes([1]) + b"s" + b"\x03\x80\x01" + bytes([1]) + b"i" + b"\x04\x00\x00\x00\x2a"
             + bytes([1]) + b"l" + b"\x05" + b"\x00" * 7 + b"\x01" + bytes([1]) + b"y" + b"\x06\x00\x02\xde\xad"
             + string_header("str", "value") + bytes([1]) + b"t" + b"\x08" + struct.pack(">q", 1767225600000)
             + bytes([1]) + b"u" + b"\x09" + bytes(range(16)))
write("event-stream", "raw-two-messages", b"6" + event("messageStart", {"role": "assistant"}) + es_message(all_types, b"payload"))
write("event-stream", "raw-empty-message", b"0" + es_message(b"", b""))
bad_crc = bytearray(event("x", {"a": 1}))
bad_crc[-1] ^= 0xFF
write("event-stream", "raw-bad-crc", b"2" + bytes(bad_crc))
spec = b""
for headers, payload in [(string_header(":message-type", "event"), b"{}"), (all_types, b"abc"), (b"", b"")]:
    spec += bytes([len(headers)]) + headers + struct.pack(">H", len(payload)) + payload
write("event-stream", "spec-messages", b"3" + spec)
write("event-stream", "spec-bad-header", b"5" + bytes([4]) + b"\x02ab\x63" + b"\x00\x01Z")

# --- OpenAI ----------------------------------------------------------------------------------
def chunk(delta, finish=None, usage=None, model="gpt-4o-mini"):
    return {"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1, "model": model,
            "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}], "usage": usage}

openai_text = sse(chunk({"role": "assistant", "content": "", "refusal": None}), chunk({"content": "Hello"}),
                  chunk({"content": " wörld"}), chunk({}, "stop"),
                  {"id": "chatcmpl-1", "object": "chat.completion.chunk", "choices": [],
                   "usage": {"prompt_tokens": 9, "completion_tokens": 2, "total_tokens": 11,
                             "prompt_tokens_details": {"cached_tokens": 0},
                             "completion_tokens_details": {"reasoning_tokens": 0}}}, "[DONE]")
openai_tools = sse(chunk({"role": "assistant", "content": None, "tool_calls": [{"index": 0, "id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": ""}}]}),
                   chunk({"tool_calls": [{"index": 0, "function": {"arguments": "{\"city\":"}}]}),
                   chunk({"tool_calls": [{"index": 1, "id": "call_2", "function": {"name": "t", "arguments": "{}"}}]}),
                   chunk({"tool_calls": [{"index": 0, "function": {"arguments": "\"Paris\"}"}}]}),
                   chunk({}, "tool_calls"), "[DONE]")
write("openai", "text-usage", "6" + openai_text)
write("openai", "tool-calls", "4" + openai_tools)
write("openai", "reasoning", "2" + sse(chunk({"reasoning_content": "think"}), chunk({"reasoning": "more"}), chunk({"content": "x"}, "length")))
write("openai", "error-mid-stream", "0" + sse(chunk({"content": "x"}), {"error": {"message": "The server is overloaded", "type": "server_error", "code": None}}))
write("openai", "azure-first-event", "6" + sse({"choices": [], "created": 0, "id": "", "model": "", "object": "", "prompt_filter_results": [{"prompt_index": 0}]}, chunk({"content": "ok"}, "content_filter")) + "data: [DONE]\n\n")
write("sagemaker-openai", "x", "")  # replaced below

# --- Anthropic -------------------------------------------------------------------------------
def anth(kind, obj):
    obj = dict(type=kind, **obj)
    return "event: %s\ndata: %s\n\n" % (kind, json.dumps(obj, separators=(",", ":")))

anthropic_text = (anth("message_start", {"message": {"id": "msg_1", "type": "message", "role": "assistant", "model": "claude-3-5-haiku-latest", "content": [], "stop_reason": None, "usage": {"input_tokens": 12, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 4, "output_tokens": 1}}})
                  + anth("content_block_start", {"index": 0, "content_block": {"type": "text", "text": ""}})
                  + anth("ping", {})
                  + anth("content_block_delta", {"index": 0, "delta": {"type": "text_delta", "text": "Hello"}})
                  + anth("content_block_stop", {"index": 0})
                  + anth("message_delta", {"delta": {"stop_reason": "end_turn", "stop_sequence": None}, "usage": {"output_tokens": 5}})
                  + anth("message_stop", {}))
anthropic_tool = (anth("message_start", {"message": {"model": "claude", "usage": {"input_tokens": 1}}})
                  + anth("content_block_start", {"index": 0, "content_block": {"type": "thinking", "thinking": "", "signature": ""}})
                  + anth("content_block_delta", {"index": 0, "delta": {"type": "thinking_delta", "thinking": "hmm"}})
                  + anth("content_block_delta", {"index": 0, "delta": {"type": "signature_delta", "signature": "abc"}})
                  + anth("content_block_start", {"index": 1, "content_block": {"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {}}})
                  + anth("content_block_delta", {"index": 1, "delta": {"type": "input_json_delta", "partial_json": ""}})
                  + anth("content_block_delta", {"index": 1, "delta": {"type": "input_json_delta", "partial_json": "{\"city\": \"Pa"}})
                  + anth("content_block_delta", {"index": 1, "delta": {"type": "input_json_delta", "partial_json": "ris\"}"}})
                  + anth("content_block_stop", {"index": 1})
                  + anth("message_delta", {"delta": {"stop_reason": "tool_use"}, "usage": {"output_tokens": 30}})
                  + anth("message_stop", {}))
write("anthropic", "text", "6" + anthropic_text)
write("anthropic", "thinking-tool-use", "4" + anthropic_tool)
write("anthropic", "error", "0" + anth("message_start", {"message": {"model": "m"}}) + anth("error", {"error": {"type": "overloaded_error", "message": "Overloaded"}}))
write("anthropic", "unclosed-block", "2" + anth("content_block_start", {"index": 2, "content_block": {"type": "tool_use", "id": "t", "name": "n"}}) + anth("message_stop", {}))

# --- Gemini ----------------------------------------------------------------------------------
def gem(parts, finish=None, usage=None):
    cand = {"content": {"parts": parts, "role": "model"}, "index": 0}
    if finish:
        cand["finishReason"] = finish
    obj = {"candidates": [cand], "modelVersion": "gemini-2.0-flash", "responseId": "r1"}
    if usage:
        obj["usageMetadata"] = usage
    return obj

write("gemini", "text", "6" + sse(gem([{"text": "Hel"}], usage={"promptTokenCount": 5, "totalTokenCount": 5}),
                                  gem([{"text": "lo", "thought": True}, {"text": "!"}], "STOP", {"promptTokenCount": 5, "candidatesTokenCount": 2, "thoughtsTokenCount": 3, "totalTokenCount": 10, "cachedContentTokenCount": 1}), crlf=True))
write("gemini", "function-call", "4" + sse(gem([{"functionCall": {"name": "get_weather", "args": {"city": "Paris"}}}, {"functionCall": {"id": "c9", "name": "t"}}], "STOP"), crlf=True))
write("gemini", "blocked", "2" + sse({"promptFeedback": {"blockReason": "SAFETY"}, "usageMetadata": {"promptTokenCount": 3}}, crlf=True))
write("gemini", "error", "0" + sse({"error": {"code": 429, "message": "Resource exhausted", "status": "RESOURCE_EXHAUSTED"}}, crlf=True))

# --- Ollama ----------------------------------------------------------------------------------
def nd(*objs):
    return "".join(json.dumps(o) + "\n" for o in objs)

write("ollama", "text", "6" + nd({"model": "llama3.2", "created_at": "2025-01-01T00:00:00.1Z", "message": {"role": "assistant", "content": "Hi", "thinking": "hm"}, "done": False},
                                 {"model": "llama3.2", "message": {"role": "assistant", "content": ""}, "done": True, "done_reason": "stop", "total_duration": 1, "prompt_eval_count": 7, "eval_count": 2}))
write("ollama", "tool-call", "4" + nd({"model": "m", "message": {"role": "assistant", "content": "", "tool_calls": [{"function": {"index": 0, "name": "get_weather", "arguments": {"city": "Paris"}}}, {"id": "c2", "function": {"name": "t", "arguments": "{\"a\":1}"}}]}, "done": False},
                                      {"done": True, "done_reason": "length"}))
write("ollama", "error", "2" + nd({"model": "m", "message": {"content": "x"}, "done": False}, {"error": "model 'x' not found"}, {"error": {"message": "busy"}}))
write("ollama", "no-final-newline", "0" + nd({"message": {"content": "x"}, "done": False}) + json.dumps({"done": True}))

# --- Bedrock ---------------------------------------------------------------------------------
bedrock_events = [
    ("messageStart", {"role": "assistant"}),
    ("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"text": "Hello"}, "p": "abcd"}),
    ("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"reasoningContent": {"text": "hm"}}}),
    ("contentBlockStop", {"contentBlockIndex": 0}),
    ("contentBlockStart", {"contentBlockIndex": 1, "start": {"toolUse": {"toolUseId": "tooluse_1", "name": "get_weather"}}}),
    ("contentBlockDelta", {"contentBlockIndex": 1, "delta": {"toolUse": {"input": "{\"city\":"}}}),
    ("contentBlockDelta", {"contentBlockIndex": 1, "delta": {"toolUse": {"input": "\"Paris\"}"}}}),
    ("contentBlockStop", {"contentBlockIndex": 1}),
    ("messageStop", {"stopReason": "tool_use"}),
    ("metadata", {"usage": {"inputTokens": 10, "outputTokens": 5, "totalTokens": 15, "cacheReadInputTokens": 2}, "metrics": {"latencyMs": 100}}),
]
write("bedrock", "raw-tool-use", b"6" + b"".join(event(k, p) for k, p in bedrock_events))
exception = es_message(string_header(":exception-type", "throttlingException") + string_header(":content-type", "application/json") + string_header(":message-type", "exception"), b'{"message":"Too many requests"}')
write("bedrock", "raw-exception", b"4" + event("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"text": "x"}}) + exception)
bedrock_spec = [(":message-type=event;:event-type=%s;:content-type=application/json" % k, json.dumps(p)) for k, p in bedrock_events[:4]]
bedrock_spec += [(":message-type=event;:event-type=messageStop", '{"stopReason":"end_turn"}'),
                 (":message-type=event;:event-type=metadata", '{"usage":{"inputTokens":3,"outputTokens":1}}')]
write("bedrock", "text-spec", b"3" + text_spec(bedrock_spec))
write("bedrock", "text-spec-errors", b"1" + text_spec([(":message-type=error;:error-code=InternalFailure;:error-message=boom", ""),
                                                        (":message-type=exception;:exception-type=validationException", '{"message":"bad"}')]))

# --- SageMaker -------------------------------------------------------------------------------
part = ":message-type=event;:event-type=PayloadPart;:content-type=application/octet-stream"
openai_stream = openai_text.encode()
tgi_stream = sse({"token": {"id": 1, "text": "Hel", "logprob": -0.1, "special": False}, "generated_text": None, "details": None},
                 {"token": {"id": 2, "text": "lo", "logprob": -0.2, "special": False}, "generated_text": None, "details": None},
                 {"token": {"id": 3, "text": "</s>", "logprob": 0, "special": True}, "generated_text": "Hello",
                  "details": {"finish_reason": "eos_token", "generated_tokens": 3, "input_length": 8}}).encode()
for target, stream in [("sagemaker-openai", openai_stream), ("sagemaker-tgi", tgi_stream)]:
    cuts = [7, 40, 41, len(stream) // 2, len(stream) - 3]
    parts = payload_parts(stream, cuts)
    write(target, "raw-payload-parts", b"6" + b"".join(event("PayloadPart", p, "application/octet-stream") for p in parts))
    write(target, "text-spec", b"5" + text_spec([(part, p) for p in parts]))
    write(target, "text-spec-exception", b"3" + text_spec([(part, parts[0]), (":message-type=exception;:exception-type=ModelStreamError", '{"Message":"boom","ErrorCode":"500"}')]))
os.remove(os.path.join(ROOT, "sagemaker-openai", "x"))
write("sagemaker-tgi", "text-spec-tgi-error", b"1" + text_spec([(part, 'data:{"error":"Input validation error","error_type":"validation"}\n\n')]))

# --- Fast paths (fast-path harness): a selector byte, then one event's JSON ---------------------
# Selector: '0' OpenAI, '1' Anthropic, '2' Gemini, '3' Ollama; '4' to '7' the same after a first
# event that reports the model. Common events (the fast path reads them) and their near misses.
def compact(o):
    return json.dumps(o, separators=(",", ":"), ensure_ascii=False)

fast_seeds = {
    "openai-content": "0" + compact(chunk({"content": "Hello wörld 👋"})),
    "openai-first": "0" + compact(chunk({"role": "assistant", "content": "", "refusal": None})),
    "openai-reasoning": "4" + compact(chunk({"reasoning_content": "think \"hard\"\n", "content": None})),
    "openai-vllm-usage-null": "0" + compact({"id": "cmpl-1", "object": "chat.completion.chunk", "created": 1, "model": "Qwen/Qwen3-8B", "choices": [{"index": 0, "delta": {"reasoning": "\\u00e9 \u00e9", "content": ""}, "logprobs": None, "finish_reason": None, "stop_reason": None}], "usage": None}),
    "openai-escapes": "0" + '{"model":"m","choices":[{"delta":{"content":"\\u00e9\\ud83d\\ude00\\"\\\\\\/\\b\\f\\n\\r\\t\\u0000"}}]}',
    "openai-whitespace": "4" + ' {\r\n "choices" : [ { "delta" : { "content" : "x" } , "finish_reason" : null } ] ,\t"model" : "m" } \n',
    "openai-tool-call": "0" + compact(chunk({"tool_calls": [{"index": 0, "id": "call_1", "type": "function", "function": {"name": "f", "arguments": "{}"}}]})),
    "openai-finish": "0" + compact(chunk({}, "stop")),
    "openai-two-choices": "0" + '{"choices":[{"delta":{"content":"a"}},{"delta":{"content":"b"}}]}',
    "openai-lone-surrogate": "0" + '{"choices":[{"delta":{"content":"\\ud800"}}]}',
    "openai-lenient-skipped": "0" + '{"x":[01,],"choices":[{"delta":{"content":"a"}}]}',
    "anthropic-text": "1" + compact({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "Hello, wörld! 😀"}}),
    "anthropic-thinking": "5" + compact({"type": "content_block_delta", "index": 1, "delta": {"type": "thinking_delta", "thinking": "Let me think…\n"}}),
    "anthropic-key-order": "1" + '{"delta":{"text":"x","type":"text_delta"},"index":3,"type":"content_block_delta"}',
    "anthropic-input-json": "1" + compact({"type": "content_block_delta", "index": 1, "delta": {"type": "input_json_delta", "partial_json": "{\"city\": \"Pa"}}),
    "anthropic-escaped-type": "1" + '{"type":"content_block\\u005fdelta","index":0,"delta":{"type":"text_delta","text":"x"}}',
    "anthropic-float-index": "1" + '{"type":"content_block_delta","index":1.0,"delta":{"type":"text_delta","text":"x"}}',
    "anthropic-message-start": "1" + compact({"type": "message_start", "message": {"model": "claude-sonnet-4-5", "usage": {"input_tokens": 12}}}),
    "gemini-text-usage": "2" + compact(gem([{"text": "你好，世界！\n\"quoted\" \\ back"}], usage={"promptTokenCount": 7, "totalTokenCount": 7, "promptTokensDetails": [{"modality": "TEXT", "tokenCount": 7}]})),
    "gemini-thought": "6" + compact(gem([{"text": "**Checking**", "thought": True}, {"text": "Answer"}], usage={"promptTokenCount": 58, "candidatesTokenCount": 9, "totalTokenCount": 111, "thoughtsTokenCount": 44})),
    "gemini-function-call": "2" + compact(gem([{"functionCall": {"name": "get_weather", "args": {"city": "Zürich"}}, "thoughtSignature": "CiQB"}], "STOP")),
    "gemini-finish": "2" + compact(gem([{"text": ""}], "STOP", {"promptTokenCount": 7, "candidatesTokenCount": 6, "totalTokenCount": 13})),
    "gemini-float-count": "2" + compact(gem([{"text": "x"}], usage={"promptTokenCount": 1.5})),
    "ollama-content": "3" + compact({"model": "llama3.2", "created_at": "2025-01-01T00:00:00.1Z", "message": {"role": "assistant", "content": "Hi 👋"}, "done": False}),
    "ollama-thinking": "7" + compact({"model": "qwen3", "created_at": "2025-01-01T00:00:00.1Z", "message": {"role": "assistant", "content": "", "thinking": "hm\n"}, "done": False}),
    "ollama-done": "3" + compact({"model": "llama3.2", "message": {"role": "assistant", "content": ""}, "done": True, "done_reason": "stop", "prompt_eval_count": 7, "eval_count": 2}),
    "ollama-tool-call": "3" + compact({"model": "m", "message": {"role": "assistant", "content": "", "tool_calls": [{"function": {"name": "f", "arguments": {"a": 1}}}]}, "done": False}),
    "ollama-error": "3" + compact({"error": "model 'x' not found"}),
}
for name, seed in fast_seeds.items():
    write("fast-path", name, seed)
# Two events split by 0xFF: the same chunk but for its text, as a stream's template reads them.
write("fast-path", "openai-repeat", b"0" + compact(chunk({"content": "Hello"})).encode() + b"\xff"
      + compact(chunk({"content": " w\u00f6rld \"\\"})).encode())
write("fast-path", "anthropic-repeat", b"1" + compact({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "Hello"}}).encode()
      + b"\xff" + compact({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "\u00e9\n"}}).encode())
write("fast-path", "openai-repeat-ends-early", b"0" + compact(chunk({"content": "Hello"})).encode() + b"\xff"
      + compact(chunk({"content": "a\",\"x\":\"b"})).encode().replace(b'a\\",\\"x\\":\\"b', b'a","x":"b'))

# --- Partial JSON + schema -------------------------------------------------------------------
schema = {"type": "object", "properties": {"name": {"type": "string", "minLength": 1, "pattern": "^[A-Z]"},
                                           "age": {"type": "integer", "minimum": 0, "exclusiveMaximum": 150},
                                           "tags": {"type": "array", "items": {"enum": ["a", "b"]}, "maxItems": 3},
                                           "kind": {"$ref": "#/$defs/kind"}},
          "required": ["name"], "additionalProperties": False,
          "$defs": {"kind": {"anyOf": [{"const": "x"}, {"type": "null"}]}}}
write("partial-json", "fenced-with-schema", "6```json\n{\"name\": \"Ada\", \"age\": 36, \"tags\": [\"a\"], \"kind\": null}\n```\n\x00" + json.dumps(schema))
write("partial-json", "escapes-numbers", "0Here it is: [1, -2.5e3, 0.0, true, false, null, \"\\u00e9\\ud83d\\ude00\\n\\\"\", {\"a\": {\"b\": []}}]\x00{\"type\":\"array\",\"items\":{\"oneOf\":[{\"type\":\"number\"},{\"type\":\"string\",\"maxLength\":4},{\"type\":\"object\"},{\"type\":[\"boolean\",\"null\"]}]}}")
write("partial-json", "truncated", "2{\"a\": [1, 2, {\"b\": \"unfinished \\u00")
write("partial-json", "bare-scalar", "4  42  ")
# The input behind SchemaValidatorTests.catastrophicBacktrackingIsStoppedByThePatternBudget.
write("partial-json", "backtracking-pattern", "6[\"aa\", \"" + "a" * 30 + "!\"]\x00{\"items\": {\"pattern\": \"^(a+)+$\"}}")
write("partial-json", "allof-schema", "6{\"x\": 1, \"x\": 2, \"y\": \"é\"}\x00{\"allOf\":[{\"$ref\":\"#\"},{\"properties\":{\"x\":{\"type\":\"integer\",\"multipleOf\":2}}}],\"minProperties\":1}")

# --- Frames ----------------------------------------------------------------------------------
def frame(obj):
    body = obj if isinstance(obj, bytes) else json.dumps(obj, separators=(",", ":")).encode()
    return struct.pack(">I", len(body)) + body

stream_req = {"jsonrpc": "2.0", "id": 1, "method": "stream", "params": {
    "messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Weather?"},
                 {"role": "assistant", "content": "", "toolCalls": [{"id": "c1", "name": "get_weather", "arguments": {"city": "Paris"}}]},
                 {"role": "tool", "content": "sunny", "toolCallId": "c1"}],
    "provider": "auto", "model": "gpt-4o-mini", "maxTokens": 100, "temperature": 0.5, "timeoutMs": 30000,
    "tools": [{"name": "get_weather", "description": "d", "parameters": {"type": "object"}}],
    "toolChoice": {"name": "get_weather"}, "schema": {"type": "object"}, "context": {"user": "u1"},
    "requiredCapabilities": ["function_calling"], "continueOnFailure": True, "priority": 5}}
generate_req = {"jsonrpc": "2.0", "id": "g-1", "method": "generate", "params": {"input": {"text": "Hello"}, "toolChoice": "auto", "systemPrompt": "s"}}
others = [{"jsonrpc": "2.0", "id": 2, "method": "cancel", "params": {"requestId": 1}},
          {"jsonrpc": "2.0", "id": 3, "method": "status"}, {"jsonrpc": "2.0", "method": "health"},
          {"jsonrpc": "2.0", "id": 4, "method": "providers.list"}]
write("frame", "raw-requests", b"6" + frame(stream_req) + frame(generate_req) + b"".join(frame(o) for o in others))
write("frame", "raw-too-large", b"2" + frame({"jsonrpc": "2.0", "id": 1, "method": "health"}) + struct.pack(">I", 1 << 20) + b"{")
write("frame", "framed-requests", b"5" + b"\x00".join(json.dumps(o).encode() for o in [stream_req, generate_req] + others))
write("frame", "framed-bad", b"3" + b"\x00".join([b"[]", b"{\"jsonrpc\":\"1.0\",\"id\":1.5,\"method\":\"x\"}", b"not json", b"\xff\xfe",
                                                   json.dumps({"jsonrpc": "2.0", "id": 9, "method": "stream", "params": {"input": {"text": "x"}, "maxTokens": 1e300, "bogus": 1}}).encode()]))
write("frame", "framed-client-messages", b"1" + b"\x00".join(json.dumps(o).encode() for o in [
    {"jsonrpc": "2.0", "method": "stream.chunk", "params": {"requestId": 1, "type": "text", "content": "hi"}},
    {"jsonrpc": "2.0", "id": 1, "result": {"text": "hi", "finishReason": "stop"}},
    {"jsonrpc": "2.0", "id": None, "error": {"code": -32700, "message": "parse error", "data": {"type": "parse_error"}}}]))

# --- Config ----------------------------------------------------------------------------------
with open(os.path.join(ROOT, "..", "..", "etc", "neurolink", "neurolinkd.yaml")) as f:
    write("config", "sample", f.read())
write("config", "full", """server:
  socket: /run/x.sock
  socket_mode: "0600"
  max_frame_bytes: 65536
  drain_timeout_ms: 500
  stream_buffer_bytes: 32768
logging:
  level: debug
timeouts: { connect_ms: 1000, first_chunk_ms: 2000, idle_ms: 3000, total_ms: 4000 }
defaults:
  provider: auto
  model: m
  max_tokens: null
  temperature: 0
providers:
  - name: p
    type: openai-compatible
    base_url: http://127.0.0.1:9/v1
    api_key: inline-secret
    headers:
      X-Org: org-1
    timeouts:
      idle_ms: 9
  - name: groq
    type: groq
    api_key_file: groq.key
""")
write("config", "pools-limits", """providers:
  - { name: openai, type: openai, api_key_env: OPENAI_API_KEY }
  - { name: anthropic, type: anthropic, api_key_credential: anthropic }
pools:
  - name: chat
    strategy: weighted
    failover: [endpoint_switch, provider_switch]
    members:
      - { provider: openai, model: gpt-4o-mini, weight: 3, specializations: [function_calling, speed] }
      - { provider: anthropic, model: claude-3-5-haiku-latest, weight: 1, context_window: 200000 }
routing:
  default_pool: chat
rate_limits:
  preset: standard
  global: { max_in_flight: 256 }
  providers:
    default: { max_in_flight: 16 }
    openai: { requests_per_minute: 3000, tokens_per_minute: 1000000, adaptive: true }
  tenants:
    default: { requests_per_second: 5, burst: 10 }
    map: { users: { ci-runner: ci }, uids: { 1001: team-a } }
    ci: { requests_per_second: unlimited, max_in_flight: 4 }
  queue: { strategy: queue, max_queue_size: 500, priority: true }
""")
write("config", "cloud-providers", """providers:
  - name: bedrock
    type: bedrock
    region: us-east-1
    aws_profile: prod
    default_model: "anthropic.claude-3-5-haiku-20241022-v1:0"
  - name: vertex
    type: vertex
    project: my-project
    location: europe-west4
    token_command: "gcloud auth 'print-access-token'"
    default_model: gemini-2.0-flash
  - name: llama
    type: sagemaker
    region: us-east-1
    endpoint_name: llama-3-8b-instruct
    container: tgi
  - name: az
    type: azure
    base_url: https://r.openai.azure.com
    api_key: k
    api_version: "2024-10-21"
""")
write("config", "anchors-odd", "a: &x [1, 2]\nb: *x\n? complex\n: !!str 0x1F\n--- \n...\n")

# --- Provider responses (headers harness): status line, headers, blank line, body -------------
write("headers", "openai-429", "429\r\nx-ratelimit-limit-requests: 5000\r\nx-ratelimit-remaining-requests: 0\r\nx-ratelimit-reset-requests: 6m0.5s\r\n"
      "x-ratelimit-limit-tokens: 160000\r\nx-ratelimit-remaining-tokens: 15000\r\nx-ratelimit-reset-tokens: 250ms\r\n"
      "retry-after-ms: 1500\r\nretry-after: 2\r\n\r\n"
      '{"error":{"message":"Rate limit reached","type":"requests","code":"rate_limit_exceeded"}}')
# The crash behind FuzzRegressionTests: a reset no millisecond count holds.
write("headers", "openai-far-reset", "200\nx-ratelimit-remaining-requests: 0\nx-ratelimit-reset-requests: 999999999999999h\n\n")
write("headers", "anthropic-200", "200\nanthropic-ratelimit-requests-limit: 50\nanthropic-ratelimit-requests-remaining: 3\n"
      "anthropic-ratelimit-requests-reset: 2026-01-01T00:00:30Z\nanthropic-ratelimit-input-tokens-reset: 2026-01-01T01:00:00.25+01:00\n"
      "anthropic-ratelimit-output-tokens-remaining: 10\nanthropic-ratelimit-output-tokens-limit: 8000\nx-ratelimit-reset: 1767225700\n\n"
      '{"data":[{"type":"model","id":"claude-3-5-haiku-latest","display_name":"Claude","created_at":"2024-10-22T00:00:00Z"}],"has_more":false}')
write("headers", "gemini-429", "429\ncontent-type: application/json\nretry-after: Thu, 01 Jan 2026 00:00:05 GMT\n\n"
      '{"error":{"code":429,"message":"Resource exhausted","status":"RESOURCE_EXHAUSTED","details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"12.5s"},{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"API_KEY_INVALID"}]}}')
write("headers", "bedrock-403", "403\nx-amzn-ErrorType: UnrecognizedClientException:http://internal.amazon.com/coral/com.amazon.coral.service/\n\n"
      '{"message":"The security token included in the request is invalid."}')
write("headers", "models-200", "200\n\n" + json.dumps({"object": "list", "data": [{"id": "gpt-4o-mini", "object": "model", "created": 1, "owned_by": "openai"}],
                                                        "models": [{"name": "models/gemini-2.0-flash", "supportedGenerationMethods": ["generateContent"]}, {"name": "llama3.2:latest", "model": "llama3.2:latest"}],
                                                        "modelSummaries": [{"modelId": "anthropic.claude-3-5-haiku-20241022-v1:0", "outputModalities": ["TEXT"], "responseStreamingSupported": True}]}))
