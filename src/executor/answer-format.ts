/**
 * Reading an answer in the step's `output.format`: text and markdown as they are, json parsed
 * (and checked against `output.schema`), code taken out of its fenced block. What cannot be read
 * is rejected with a reason the next attempt (and a `repair:` prompt) can use.
 */
import { canonicalLanguage, fenceTagsOf } from "../pipeline/languages.js";
import type { StepOutput } from "../pipeline/model.js";

export type ReadAnswer =
  | { ok: true; /** What downstream steps read as `output`. */ output: string; json?: unknown; /** What a file receives. */ content: string }
  | { ok: false; reason: string };

export function readAnswer(text: string, output: StepOutput): ReadAnswer {
  if (text.trim() === "") return { ok: false, reason: "the answer was empty" };
  if (output.format === "json") {
    const parsed = parseJsonAnswer(text);
    if (!parsed.ok) return parsed;
    const problems = output.schema?.check(parsed.value) ?? [];
    if (problems.length > 0) return { ok: false, reason: `the JSON does not match output.schema: ${problems.join("; ")}` };
    return { ok: true, output: text, json: parsed.value, content: `${JSON.stringify(parsed.value, null, 2)}\n` };
  }
  if (output.format === "code") {
    const code = extractCode(text, output.language ?? "");
    if (!code.ok) return code;
    return { ok: true, output: code.code, content: code.code };
  }
  return { ok: true, output: text, content: text };
}

/** Models often wrap JSON in a ```json fence; accept that, reject anything else that does not parse. */
export function parseJsonAnswer(text: string): { ok: true; value: unknown } | { ok: false; reason: string } {
  const fenced = /```(?:json)?\s*\n([\s\S]*?)\n```/.exec(text);
  const candidate = (fenced ? fenced[1]! : text).trim();
  try {
    return { ok: true, value: JSON.parse(candidate) };
  } catch (error) {
    return { ok: false, reason: `the answer is not valid JSON: ${(error as Error).message}` };
  }
}

interface FencedBlock {
  tag: string;
  body: string;
}

const fencePattern = /^[ \t]*(`{3,}|~{3,})[ \t]*([^\n`]*)\n([\s\S]*?)^[ \t]*\1[ \t]*$/gm;

/**
 * The code of the answer: the first fenced block tagged with the language (```ts for typescript),
 * else the first untagged block, else — when the answer has no fence at all — the whole answer.
 * Blocks of other languages only (an answer in python when typescript was asked) are rejected.
 */
export function extractCode(text: string, language: string): { ok: true; code: string } | { ok: false; reason: string } {
  const blocks: FencedBlock[] = [...text.matchAll(fencePattern)].map((match) => ({
    tag: (match[2] ?? "").trim().split(/\s+/)[0]!.toLowerCase(),
    body: match[3] ?? "",
  }));
  if (blocks.length === 0) {
    return text.includes("```") ? { ok: false, reason: "the answer has an unclosed ``` fence" } : nonEmpty(text);
  }
  const tags = fenceTagsOf(language);
  const tagged = blocks.find((block) => tags.includes(block.tag) || canonicalLanguage(block.tag) === canonicalLanguage(language));
  if (tagged) return nonEmpty(tagged.body);
  const untagged = blocks.find((block) => block.tag === "");
  if (untagged) return nonEmpty(untagged.body);
  const found = [...new Set(blocks.map((block) => block.tag))].join(", ");
  return { ok: false, reason: `the answer has no ${language} code block (found ${found})` };
}

function nonEmpty(code: string): { ok: true; code: string } | { ok: false; reason: string } {
  const trimmed = code.replace(/^\s*\n/, "").trimEnd();
  return trimmed.trim() === "" ? { ok: false, reason: "the code block is empty" } : { ok: true, code: `${trimmed}\n` };
}
