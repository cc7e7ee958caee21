/**
 * The prompt and the answer of one attempt on the HTML report, from the call log: folded under a
 * `<details>` (no script), every character escaped, and long texts cut with a pointer to
 * `orch show`, so fifty runs of long prompts still make a page a browser opens. A call that kept
 * only hashes (a sensitive step, or `log.prompts: hashes`) shows the hashes, never text.
 */
import type { CallView } from "../call-log/run-view.js";
import { promptText } from "../call-log/run-view.js";
import { escapeXml } from "./escape.js";

/** Characters of one prompt or answer shown on the page; the rest is in `orch show`. */
export const shownTextLimit = 20_000;

export function attemptTextsHtml(call: CallView | undefined, where: { runId: string; step: string }): string {
  // A call recorded before the call log existed has nothing to show: no fold at all.
  if (!call || call.kept === "none") return "";
  const more = `orch show ${where.runId} ${where.step}`;
  let body: string;
  if (call.kept === "hashes") {
    body =
      `<p class="hashes">Only hashes are kept for this call (a sensitive step, or <code>log.prompts: hashes</code>).</p>` +
      `<p class="hashes">prompt sha256 <code>${escapeXml(call.promptSha256)}</code>${call.answerSha256 ? ` · answer sha256 <code>${escapeXml(call.answerSha256)}</code>` : ""}</p>`;
  } else {
    const prompt = call.messages ? cut(promptText(call.messages), more) : `<span class="empty">no prompt kept</span>`;
    const answer = call.answer !== undefined ? cut(call.answer, more) : `<span class="empty">no answer (the call failed)</span>`;
    body = `<p class="label">prompt</p><pre class="prompt">${prompt}</pre><p class="label">answer</p><pre class="answer">${answer}</pre>`;
  }
  return `<details class="texts"><summary>prompt and answer</summary>${body}</details>`;
}

function cut(text: string, more: string): string {
  if (text.length <= shownTextLimit) return escapeXml(text);
  const rest = text.length - shownTextLimit;
  return `${escapeXml(text.slice(0, shownTextLimit))}<span class="cut">… ${rest.toLocaleString("en-US")} more characters: ${escapeXml(more)}</span>`;
}
