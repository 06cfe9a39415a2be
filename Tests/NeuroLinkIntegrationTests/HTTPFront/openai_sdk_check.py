"""Drives the daemon's HTTP front with the official openai SDK (test tooling only).

Usage: python openai_sdk_check.py BASE_URL API_KEY LIMITED_KEY; prints one JSON object of what the SDK saw.
"""
import json
import sys
import time

import openai

base, key, limited_key = sys.argv[1], sys.argv[2], sys.argv[3]
client = openai.OpenAI(base_url=base, api_key=key, max_retries=0)
hello = [{"role": "user", "content": "hi"}]
seen = {}

stream = client.chat.completions.create(
    model="p/m", messages=hello, stream=True, stream_options={"include_usage": True}
)
text, usage = "", None
for chunk in stream:
    if chunk.choices and chunk.choices[0].delta.content:
        text += chunk.choices[0].delta.content
    if chunk.usage:
        usage = chunk.usage.total_tokens
seen["streamed"], seen["usage"] = text, usage

whole = client.chat.completions.create(model="p/m", messages=hello)
seen["whole"] = whole.choices[0].message.content
seen["finish"] = whole.choices[0].finish_reason

weather = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Weather in a city",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
    },
}
with client.chat.completions.stream(model="p/tools", messages=hello, tools=[weather]) as events:
    final = events.get_final_completion()
call = final.choices[0].message.tool_calls[0]
seen["tool"] = [call.id, call.function.name, json.loads(call.function.arguments)]
seen["toolFinish"] = final.choices[0].finish_reason

schema = {"type": "object", "properties": {"a": {"type": "integer"}}, "required": ["a"]}
answer = client.chat.completions.create(
    model="p/json",
    messages=hello,
    response_format={"type": "json_schema", "json_schema": {"name": "a", "schema": schema}},
)
seen["json"] = json.loads(answer.choices[0].message.content)

seen["models"] = [model.id for model in client.models.list()]

vectors = client.embeddings.create(model="any", input=["red apple"])
seen["embedding"] = len(vectors.data[0].embedding)

try:
    openai.OpenAI(base_url=base, api_key="sk-wrong", max_retries=0).models.list()
    seen["unauthorized"] = "no error"
except openai.AuthenticationError as error:
    seen["unauthorized"] = error.status_code

try:
    client.chat.completions.create(model="nope/x", messages=hello)
    seen["notFound"] = "no error"
except openai.NotFoundError as error:
    seen["notFound"] = error.status_code

# A tenant allowed 2 requests a second, no burst: the second call gets a 429 whose retry-after the
# SDK honours, and succeeds on its retry.
patient = openai.OpenAI(base_url=base, api_key=limited_key, max_retries=2)
started = time.monotonic()
raw = [patient.chat.completions.with_raw_response.create(model="p/m", messages=hello) for _ in range(2)]
seen["retried"] = [response.retries_taken for response in raw]
seen["retriedText"] = raw[1].parse().choices[0].message.content
seen["retryWait"] = time.monotonic() - started

print(json.dumps(seen))
