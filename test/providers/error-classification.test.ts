import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { classifyHttpFailure } from "../../src/providers/shared/http-error-kind.js";
import { redactSecrets } from "../../src/secrets/redact.js";
import { retryAfterMsFromGoogleDetails, retryHintsFromHeaders } from "../../src/providers/shared/retry-hints.js";

describe("classifyHttpFailure", () => {
  const cases: Array<[string, Parameters<typeof classifyHttpFailure>[0], ReturnType<typeof classifyHttpFailure>]> = [
    ["401", { status: 401, message: "invalid x-api-key" }, { kind: "auth" }],
    ["403", { status: 403, message: "forbidden" }, { kind: "auth" }],
    ["Gemini's refused key is a 400", { status: 400, message: "API key not valid", code: "API_KEY_INVALID" }, { kind: "auth" }],
    ["OpenAI context code", { status: 400, message: "too long", code: "context_length_exceeded" }, { kind: "context_length" }],
    ["Anthropic wording", { status: 400, message: "prompt is too long: 210000 tokens > 200000 maximum" }, { kind: "context_length" }],
    ["Gemini wording", { status: 400, message: "The input token count (1200000) exceeds the maximum number of tokens allowed (1048576)." }, { kind: "context_length" }],
    ["a TPM rate limit mentioning tokens is still a rate limit", { status: 429, message: "Request too large on tokens per min (TPM): Limit 30000, Requested 50000", code: "rate_limit_exceeded" }, { kind: "rate_limit" }],
    ["exhausted quota is final", { status: 429, message: "You exceeded your current quota", code: "insufficient_quota" }, { kind: "unavailable", retryable: false }],
    ["OpenRouter out of credits", { status: 402, message: "Insufficient credits" }, { kind: "unavailable", retryable: false }],
    ["unknown model", { status: 404, message: "model not found" }, { kind: "unavailable", retryable: false }],
    ["408", { status: 408, message: "timeout" }, { kind: "timeout" }],
    ["409 lock timeout", { status: 409, message: "conflict" }, { kind: "server" }],
    ["529 overloaded", { status: 529, message: "Overloaded" }, { kind: "server" }],
    ["422", { status: 422, message: "bad field" }, { kind: "bad_request" }],
    ["error event in a 200 stream", { status: undefined, message: "The server had an error" }, { kind: "server" }],
  ];
  for (const [name, failure, expected] of cases) {
    it(name, () => assert.deepEqual(classifyHttpFailure(failure), expected));
  }
});

describe("retry hints", () => {
  const headers = (values: Record<string, string>) => new Headers(values);

  it("prefers retry-after-ms, then Retry-After seconds or an HTTP date", () => {
    assert.deepEqual(retryHintsFromHeaders(headers({ "retry-after-ms": "1500", "retry-after": "9" })), { retryAfterMs: 1500 });
    assert.deepEqual(retryHintsFromHeaders(headers({ "retry-after": "2.5" })), { retryAfterMs: 2500 });
    const now = Date.parse("2025-01-01T00:00:00Z");
    assert.deepEqual(retryHintsFromHeaders(headers({ "retry-after": "Wed, 01 Jan 2025 00:00:30 GMT" }), now), { retryAfterMs: 30_000 });
    assert.deepEqual(retryHintsFromHeaders(headers({ "x-should-retry": "false" })), { shouldRetry: false });
    assert.deepEqual(retryHintsFromHeaders(undefined), {});
  });

  it("reads Google's RetryInfo durations", () => {
    assert.equal(retryAfterMsFromGoogleDetails([{ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: "1.500s" }]), 1500);
    assert.equal(retryAfterMsFromGoogleDetails([{ "@type": "type.googleapis.com/google.rpc.Help" }]), undefined);
  });
});

describe("redactSecrets", () => {
  it("removes the key and a server's partial echo of it", () => {
    const key = "sk-proj-abcdefghijklmnopqrstuvwxyz";
    assert.equal(redactSecrets(`bad ${key}!`, [key]), "bad [redacted]!");
    assert.equal(redactSecrets("Incorrect API key provided: sk-proj-****wxyz. You can…", []), "Incorrect API key provided: [redacted] You can…");
  });
});
