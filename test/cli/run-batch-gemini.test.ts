/**
 * What Gemini's batch mode adds to run-batch.test.ts (which runs every vendor's batches): a batch
 * names one model, so two models' calls go up as a batch each, and a refusal of one (429
 * RESOURCE_EXHAUSTED past the model's enqueued-token limit) sends only that model's calls to
 * ordinary calls, while the other batch is still collected and paid once. Before, the refusal
 * failed the whole submission: every call fell back while the batch already created ran on,
 * answered and billed by the vendor, never collected.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { callRows, jsonEvents, openReservations } from "../executor/support/run-project.js";
import { BatchProject, geminiVendor, scriptModel, useFakeServer } from "./support/batch-vendors.js";

const flash = geminiVendor.model;
const pro = "gemini-2.5-pro";
// Pro synchronously: 3 × 1.25 + 2 × 10 = 23.75 per million, 23,750 nano-dollars a call.
const proSyncNano = 23_750;

const twoModelPolicy = `version: 1
providers:
  gemini: { type: gemini, base_url: "\${FAKE_URL}", api_key_env: GEMINI_TEST_KEY, max_retries: 0 }
models:
  flash: { model: "gemini:${flash}", prices: { input: 0.3, output: 2.5 } }
  pro: { model: "gemini:${pro}", prices: { input: 1.25, output: 10 } }
tiers: { economy: [flash], standard: [flash], premium: [pro] }
`;

/** Two steps with no dependency, one pinned to each model: their calls reach the collector together. */
const twoModelPipeline = `version: 1
name: nightly
policy: policy.yaml
steps:
${["flash", "pro"]
  .map(
    (alias) => `  ${alias}_review:
    for_each: { items: "inputs.files", concurrency: 3 }
    model: ${alias}
    max_tokens: 100
    cache: false
    batch: true
    prompt: "Review item <%= it.item %>."
`,
  )
  .join("")}inputs:
  files: { type: list, default: ["1", "2", "3"] }
`;

describe("orch run with batch: true on Gemini", () => {
  const fake = useFakeServer();

  it("calls for two models go up as a batch each: one refused falls back alone, the other's batch is collected and billed once", async () => {
    scriptModel(fake.server, geminiVendor, { batch: { polls: 1 } });
    fake.server.script(pro, { defaultResponse: "Looks fine.", batch: { refused: true } });
    const project = new BatchProject(geminiVendor, fake.server, { pipeline: twoModelPipeline, extra: { "policy.yaml": twoModelPolicy } });
    const result = await project.run();
    assert.equal(result.code, 0, result.stdout + result.stderr);

    const sent = (path: string) => fake.server.requests.filter((request) => request.path === path).length;
    assert.equal(sent(`/v1beta/models/${flash}:batchGenerateContent`), 1, "one flash batch");
    assert.equal(sent(`/v1beta/models/${pro}:batchGenerateContent`), 1, "one pro batch asked for, refused");
    assert.equal(sent(`/v1beta/models/${flash}:generateContent`), 0, "no flash call was made again synchronously");
    assert.equal(sent(`/v1beta/models/${pro}:generateContent`), 3, "each pro call synchronously");
    assert.deepEqual(callRows(project.directory).map((call) => [call.step, call.item_index, Math.round(call.cost_usd * 1e9)]).sort(), [
      ["flash_review", 0, geminiVendor.batchNano],
      ["flash_review", 1, geminiVendor.batchNano],
      ["flash_review", 2, geminiVendor.batchNano],
      ["pro_review", 0, proSyncNano],
      ["pro_review", 1, proSyncNano],
      ["pro_review", 2, proSyncNano],
    ]);
    assert.equal(project.settledNano(), 3 * geminiVendor.batchNano + 3 * proSyncNano);
    const fallbacks = jsonEvents(result.stdout).flatMap((event) => (event.type === "batch" && event.phase === "fallback" ? [`${event.step}: ${event.detail}`] : []));
    assert.equal(fallbacks.length, 3);
    assert.ok(fallbacks.every((fallback) => /^pro_review: the batch could not be submitted: .*Enqueued batch token limit reached for model gemini-2\.5-pro/.test(fallback)), fallbacks.join("\n"));
    assert.deepEqual(project.rows("SELECT vendor_batch_id LIKE 'batches/%' AND vendor_batch_id NOT LIKE '% %' AS one, status FROM batch_jobs"), [{ one: 1, status: "ended" }]);
    assert.deepEqual(project.rows("SELECT step, status, COUNT(*) AS calls FROM batch_calls GROUP BY step, status"), [{ step: "flash_review", status: "collected", calls: 3 }]);
    assert.equal(openReservations(project.directory), 0);
  });
});
