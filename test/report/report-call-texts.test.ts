/**
 * The HTML report's runs open on each attempt's prompt and answer, read from the call log:
 * escaped (a prompt or an answer holding HTML stays text), folded, cut when long, and only hashes
 * for a call that kept only hashes (a sensitive step).
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { attemptTextsHtml } from "../../src/report/html/attempt-texts.js";
import { runCliInProcess } from "../support/cli.js";
import { writeProject } from "../support/project.js";
import { mockPolicy, openDatabase, runPaths } from "../executor/support/run-project.js";

const pipeline = `version: 1
name: texts
policy: policy.yaml
steps:
  notes:
    prompt: 'Summarise <script>alert("x")</script> & more'
    max_tokens: 100
  secret:
    needs: [notes]
    sensitive: true
    prompt: "the password is hunter2"
    max_tokens: 100
`;

describe("HTML report: prompts and answers per attempt", () => {
  it("shows each attempt's prompt and answer escaped and folded; a sensitive step's only as hashes", async () => {
    const directory = writeProject({
      "pipeline.yaml": pipeline,
      "policy.yaml": mockPolicy([`{ step: notes, text: "</pre><b>bold</b> & done" }`, `{ step: secret, text: "classified answer" }`]),
    });
    const ran = await runCliInProcess(["run", path.join(directory, "pipeline.yaml"), ...runPaths(directory)]);
    assert.equal(ran.code, 0, ran.stderr);
    const html = path.join(directory, "report.html");
    const reported = await runCliInProcess(["report", "--html", html, "--policy", path.join(directory, "policy.yaml"), "--db", path.join(directory, "state/orch.db")]);
    assert.equal(reported.code, 0, reported.stderr);
    const page = readFileSync(html, "utf8");

    const database = openDatabase(directory);
    const secret = database.prepare(`SELECT c.prompt_sha256 AS prompt, t.answer_sha256 AS answer FROM llm_calls c JOIN llm_call_texts t ON t.call_id = c.id WHERE c.step = 'secret'`).get() as { prompt: string; answer: string };
    database.close();

    const folds = page.match(/<details class="texts"><summary>prompt and answer<\/summary>/g) ?? [];
    assert.equal(folds.length, 2, "one fold per attempt, closed (no `open`)");
    assert.ok(page.includes(`<pre class="prompt">[user]\nSummarise &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; more</pre>`), "the prompt, escaped");
    assert.ok(page.includes(`<pre class="answer">&lt;/pre&gt;&lt;b&gt;bold&lt;/b&gt; &amp; done</pre>`), "the answer, escaped");
    assert.ok(!page.includes("<script"), "no markup from a prompt reaches the page");
    assert.ok(!page.includes("<b>bold"), "no markup from an answer reaches the page");

    assert.ok(!page.includes("hunter2"), "a sensitive prompt is not on the page");
    assert.ok(!page.includes("classified answer"), "nor its answer");
    assert.ok(page.includes(`prompt sha256 <code>${secret.prompt}</code> · answer sha256 <code>${secret.answer}</code>`), "its hashes are");
  });

  it("cuts a long text and says where the rest is", () => {
    const answer = `${"a".repeat(20_000)}${"z".repeat(1_234)}`;
    const html = attemptTextsHtml(
      { id: 1, item: null, attempt: 1, provider: "p", model: "m", status: "succeeded", inputTokens: 1, outputTokens: 1, costUsd: 0, latencyMs: null, kept: "full", messages: [{ role: "user", content: "hi" }], answer, promptSha256: "0" },
      { runId: "20250101-000000-abcdef", step: "notes" },
    );
    assert.ok(html.includes(`${"a".repeat(20_000)}<span class="cut">… 1,234 more characters: orch show 20250101-000000-abcdef notes</span></pre>`));
    assert.ok(!html.includes("z"), "nothing past the limit");
  });
});
