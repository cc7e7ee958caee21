import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { runCliInProcess } from "../support/cli.js";
import { writeProject } from "../support/project.js";
import { jsonEvents, mockPolicy, runPaths } from "../executor/support/run-project.js";
import type { RunEvent } from "../../src/executor/events.js";

type StepEndEvent = Extract<RunEvent, { type: "step-end" }>;

async function run(directory: string, ...extra: string[]) {
  const result = await runCliInProcess(["run", path.join(directory, "pipeline.yaml"), ...runPaths(directory), "--json", ...extra]);
  return { ...result, events: jsonEvents(result.stdout) };
}

function stepEnd(events: readonly RunEvent[], step: string): StepEndEvent {
  const found = events.find((event): event is StepEndEvent => event.type === "step-end" && event.step === step);
  assert.ok(found, `step-end of ${step}`);
  return found;
}

const tasksCsv = 'id,title,note\r\n1,First,"plain"\r\n2,"Second, with a comma","say ""hi"""\r\n3,Third,"two\r\nlines"\r\n';

const rowsPipeline = (forEach: string, prompt = "Task <%= it.item.id %>: <%= it.item.title %> (<%= it.index %>)") => `version: 1
name: rows
policy: policy.yaml
steps:
  per_task:
    for_each: ${forEach}
    prompt: "${prompt}"
    output: { file: "out/<%= it.item.id %>.txt" }
  collect:
    needs: [per_task]
    prompt: "Done: <%= it.steps.per_task.outputs.length %> tasks."
`;

describe("for_each over the rows of a data file", () => {
  it("runs once per CSV row, each row an object in it.item (quotes, escaped quotes, CRLF)", async () => {
    const directory = writeProject({ "pipeline.yaml": rowsPipeline("{ rows: data/tasks.csv }"), "data/tasks.csv": tasksCsv, "policy.yaml": mockPolicy() });
    const { code, events, stderr } = await run(directory);
    assert.equal(code, 0, stderr);
    assert.equal(stepEnd(events, "per_task").items, 3);
    assert.deepEqual(readdirSync(path.join(directory, "out")).sort(), ["1.txt", "2.txt", "3.txt"]);
    assert.match(readFileSync(path.join(directory, "out/2.txt"), "utf8"), /Task 2: Second, with a comma \(1\)/);
    const result = JSON.parse(readFileSync(path.join(directory, "results/latest/per_task.json"), "utf8"));
    assert.deepEqual(result.items[1].item, { id: "2", title: "Second, with a comma", note: 'say "hi"' });
    assert.deepEqual(result.items[2].item.note, "two\r\nlines");
  });

  it("reads JSONL and JSON rows, values keeping their JSON types", async () => {
    for (const [file, text] of [
      ["data/tasks.jsonl", '{"id": 7, "title": "Seven"}\n\n{"id": 8, "title": "Eight"}\n'],
      ["data/tasks.json", '[{"id": 7, "title": "Seven"}, {"id": 8, "title": "Eight"}]'],
    ] as const) {
      const directory = writeProject({ "pipeline.yaml": rowsPipeline(`{ rows: ${file} }`), [file]: text, "policy.yaml": mockPolicy() });
      const { code, events, stderr } = await run(directory);
      assert.equal(code, 0, `${file}: ${stderr}`);
      assert.equal(stepEnd(events, "per_task").items, 2, file);
      assert.match(readFileSync(path.join(directory, "out/8.txt"), "utf8"), /Task 8: Eight \(1\)/, file);
      const result = JSON.parse(readFileSync(path.join(directory, "results/latest/per_task.json"), "utf8"));
      assert.deepEqual(result.items[0].item, { id: 7, title: "Seven" }, file);
    }
  });

  it("counts the rows in the plan, before anything runs", async () => {
    const directory = writeProject({ "pipeline.yaml": rowsPipeline("{ rows: data/tasks.csv }"), "data/tasks.csv": tasksCsv, "policy.yaml": mockPolicy() });
    const result = await runCliInProcess(["plan", path.join(directory, "pipeline.yaml"), "--db", path.join(directory, "state/orch.db"), "--json"]);
    assert.equal(result.code, 0, result.stderr);
    const plan = JSON.parse(result.stdout) as { order: { step: string; items?: { count?: number } }[] };
    assert.deepEqual(plan.order.find((step) => step.step === "per_task")?.items, { count: 3 });
  });

  it("refuses, in orch validate, a column the CSV does not have, at the template's position", async () => {
    const directory = writeProject({
      "pipeline.yaml": rowsPipeline("{ rows: data/tasks.csv }", "Task <%= it.item.titel %>"),
      "data/tasks.csv": tasksCsv,
      "policy.yaml": mockPolicy(),
    });
    const result = await runCliInProcess(["validate", path.join(directory, "pipeline.yaml")]);
    assert.equal(result.code, 2);
    assert.ok(
      result.stderr.includes(`pipeline.yaml:7:23 error steps.per_task.prompt: template reads it.item.titel, which the rows file has no column for (its columns: id, title, note) — did you mean "title"?`),
      result.stderr,
    );
  });

  it("points at a malformed data file's own line and column, and at an unknown extension", async () => {
    const malformed = writeProject({ "pipeline.yaml": rowsPipeline("{ rows: data/tasks.csv }"), "data/tasks.csv": 'id,title\n1,"open\n', "policy.yaml": mockPolicy() });
    const broken = await runCliInProcess(["validate", path.join(malformed, "pipeline.yaml")]);
    assert.equal(broken.code, 2);
    assert.match(broken.stderr, /data\/tasks\.csv:2:3 error steps\.per_task\.for_each\.rows: CSV rows: the quote opened here is never closed/);
    const unknown = writeProject({ "pipeline.yaml": rowsPipeline("{ rows: data/tasks.txt }"), "data/tasks.txt": "x", "policy.yaml": mockPolicy() });
    const refused = await runCliInProcess(["validate", path.join(unknown, "pipeline.yaml")]);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /cannot tell how to read "data\/tasks\.txt" from its extension \(expected \.csv, \.jsonl, \.ndjson or \.json\) — rename the file, or add format: csv \| jsonl \| json/);
  });

  it("fails the step before any call when the rows file is missing at run time", async () => {
    const directory = writeProject({ "pipeline.yaml": rowsPipeline("{ rows: data/tasks.csv }"), "policy.yaml": mockPolicy() });
    const { code, events } = await run(directory);
    assert.equal(code, 1);
    assert.match(stepEnd(events, "per_task").reason ?? "", /^for_each rows: .*data\/tasks\.csv does not exist$/);
    assert.equal(events.filter((event) => event.type === "attempt-start").length, 0);
  });
});

describe("allow_failures", () => {
  const failing = (allow: string) => ({
    "pipeline.yaml": rowsPipeline(`{ rows: data/tasks.csv, allow_failures: ${allow} }`),
    "data/tasks.csv": "id,title\n1,a\n2,b\n3,poison\n4,d\n",
    "policy.yaml": mockPolicy([`{ step: per_task, contains: "poison", error: { kind: bad_request, message: "refused" } }`]),
  });

  it("lets a fan-out step succeed with failures within a count, saying how many failed; dependents read the rest", async () => {
    const directory = writeProject(failing("1"));
    const { code, events, stdout } = await run(directory);
    assert.equal(code, 0, stdout);
    const end = stepEnd(events, "per_task");
    assert.deepEqual([end.status, end.items, end.itemsNotSucceeded, end.failuresAllowed], ["succeeded", 4, 1, { failed: 1, allowed: 1 }]);
    assert.match(end.reason ?? "", /^item 2: /);
    const result = JSON.parse(readFileSync(path.join(directory, "results/latest/per_task.json"), "utf8"));
    assert.deepEqual([result.status, result.failuresAllowed], ["succeeded", { failed: 1, allowed: 1 }]);
    const collect = JSON.parse(readFileSync(path.join(directory, "results/latest/collect.json"), "utf8"));
    assert.match(collect.output, /Done: 3 tasks\./);
  });

  it("shows the tolerated failures in the plain end line", async () => {
    const directory = writeProject(failing("1"));
    const result = await runCliInProcess(["run", path.join(directory, "pipeline.yaml"), ...runPaths(directory)]);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /✓ per_task .*4 items \(1 failed, 1 allowed\)/);
  });

  it("fails the step when failures exceed a fraction of the items (rounded down)", async () => {
    const within = writeProject(failing("0.25"));
    assert.equal((await run(within)).code, 0, "1 of 4 is within 25%");
    const beyond = writeProject(failing("0.2"));
    const { code, events } = await run(beyond);
    assert.equal(code, 1);
    const end = stepEnd(events, "per_task");
    assert.deepEqual([end.status, end.failuresAllowed], ["failed", { failed: 1, allowed: 0 }]);
  });
});

describe("validators know who answered and which item", () => {
  it("replaces {provider}, {model}, {item}, {item_index} and sets ORCH_PROVIDER, ORCH_MODEL, ORCH_ITEM_INDEX", async () => {
    const directory = writeProject({ "data/tasks.jsonl": '{"id": 1, "title": "One"}\n{"id": 2, "title": "Two"}\n', "policy.yaml": mockPolicy() });
    const log = path.join(directory, "validator.log");
    const script = `require("fs").appendFileSync(${JSON.stringify(log)}, JSON.stringify({ argv: process.argv.slice(1), env: [process.env.ORCH_PROVIDER, process.env.ORCH_MODEL, process.env.ORCH_ITEM_INDEX, process.env.ORCH_ITEM] }) + "\\n")`;
    const { writeFileSync } = await import("node:fs");
    writeFileSync(
      path.join(directory, "pipeline.yaml"),
      `version: 1
name: checked
policy: policy.yaml
steps:
  per_task:
    for_each: { rows: data/tasks.jsonl, concurrency: 1 }
    quality: economy
    prompt: "Task <%= it.item.title %>"
    output:
      validate:
        - [${JSON.stringify(process.execPath)}, "-e", ${JSON.stringify(script)}, "{provider}", "{model}", "{item}", "{item_index}"]
`,
    );
    const { code, stderr } = await run(directory);
    assert.equal(code, 0, stderr);
    const lines = readFileSync(log, "utf8").trim().split("\n").map((line) => JSON.parse(line) as { argv: string[]; env: string[] });
    assert.deepEqual(lines, [
      { argv: ["offline", "cheap", '{"id":1,"title":"One"}', "0"], env: ["offline", "cheap", "0", '{"id":1,"title":"One"}'] },
      { argv: ["offline", "cheap", '{"id":2,"title":"Two"}', "1"], env: ["offline", "cheap", "1", '{"id":2,"title":"Two"}'] },
    ]);
  });

  it("refuses {item} in a step without for_each", async () => {
    const directory = writeProject({
      "pipeline.yaml": `version: 1\nname: p\npolicy: policy.yaml\nsteps:\n  a:\n    prompt: x\n    output:\n      validate: ["test -n {item}"]\n`,
      "policy.yaml": mockPolicy(),
    });
    const result = await runCliInProcess(["validate", path.join(directory, "pipeline.yaml")]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /steps\.a\.output\.validate\[0\]: \{item\} is the item of a for_each step, and steps\.a has no for_each/);
  });
});
