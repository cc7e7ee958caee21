import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { expandEnvironment, hideExpandedValues } from "../../src/config/env-expansion.js";
import { brief, parse, yamlLines } from "./helpers.js";

function expand(env: NodeJS.ProcessEnv, ...lines: string[]) {
  const document = parse(yamlLines(...lines), "policy.yaml");
  return expandEnvironment(document, document.value, env);
}

describe("expandEnvironment", () => {
  it("replaces a set variable and leaves the rest of the string alone", () => {
    const result = expand({ OLLAMA_HOST: "http://gpu-box:11434" }, 'host: "${OLLAMA_HOST}/api"', "count: 3");
    assert.deepEqual(result, { value: { host: "http://gpu-box:11434/api", count: 3 }, diagnostics: [] });
  });

  it("uses the default when the variable is unset or empty", () => {
    const lines = ['a: "${OLLAMA_HOST:-http://127.0.0.1:11434}"', 'b: "${EMPTY:-fallback}"', 'c: "${EMPTY}"'];
    const result = expand({ EMPTY: "" }, ...lines);
    assert.deepEqual(result.value, { a: "http://127.0.0.1:11434", b: "fallback", c: "" });
    assert.deepEqual(result.diagnostics, []);
  });

  it("keeps $${ as a literal ${", () => {
    const result = expand({ NAME: "x" }, 'text: "cost: $${NAME} is ${NAME}"');
    assert.deepEqual(result.value, { text: "cost: ${NAME} is x" });
  });

  it("expands inside lists and nested mappings, never in keys", () => {
    const result = expand({ TOKEN: "t" }, "providers:", "  ${TOKEN}:", '    headers: { x: "${TOKEN}" }', '    list: ["${TOKEN}"]');
    assert.deepEqual(result.value, { providers: { "${TOKEN}": { headers: { x: "t" }, list: ["t"] } } });
  });

  it("reports an unset variable without a default at the reference, without leaking values", () => {
    const secret = "sk-very-secret-value";
    const result = expand(
      { OPENAI_API_KEY: secret, HOME: "/home/secret-user" },
      "providers:",
      "  ollama:",
      '    host: "http://${OLLAMA_HOST}:11434"',
    );
    assert.deepEqual(result.diagnostics.map(brief), ['3:19 providers.ollama.host: environment variable "OLLAMA_HOST" is not set']);
    assert.equal(result.diagnostics[0]?.suggestion, "set it, or give a default: ${OLLAMA_HOST:-value}");
    const everything = JSON.stringify(result.diagnostics);
    assert.ok(!everything.includes(secret) && !everything.includes("secret-user"), everything);
  });

  it("reports a malformed or unclosed reference", () => {
    const result = expand({}, 'a: "${not valid}"', 'b: "${OPEN"');
    assert.deepEqual(result.diagnostics.map(brief), [
      '1:5 a: "${not valid}" is not a valid environment variable reference',
      '2:5 b: unclosed "${" (no "}" after it)',
    ]);
  });
});

describe("hideExpandedValues", () => {
  it("replaces a message quoting an expanded value by the text written in the file", () => {
    const diagnostics = [
      { file: "p.yaml", line: 3, column: 11, path: "providers.a.host", message: '"secret" is not a valid URL', suggestion: "x" },
      { file: "p.yaml", line: 4, column: 11, path: "providers.a.type", message: '"opnai" is not allowed' },
      { file: "p.yaml", line: 5, column: 11, path: "providers.a.rpm", message: "expected a whole number, got a string" },
    ];
    const raw = { providers: { a: { host: "${HOST}", type: "opnai", rpm: "${RPM}" } } };
    assert.deepEqual(hideExpandedValues(diagnostics, raw), [
      { file: "p.yaml", line: 3, column: 11, path: "providers.a.host", message: '"${HOST}" does not expand to a valid value' },
      diagnostics[1],
      diagnostics[2],
    ]);
  });
});
