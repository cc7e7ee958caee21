import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { startFakeLlmServer, type FakeLlmServer } from "../../src/fake-server/index.js";
import { jsonEvents } from "../executor/support/run-project.js";
import { runCodegen } from "./support/codegen-scenario.js";

describe("pipelines/codegen.yaml against the fake server", () => {
  let server: FakeLlmServer;
  before(async () => {
    server = await startFakeLlmServer();
  });
  after(async () => server.close());

  it("rejects the cheap model's module that does not compile and its failing tests, escalates, and ships code that passes", async () => {
    const run = await runCodegen(server, "cascade", { testsFailOnCheap: true });
    assert.equal(run.result.code, 0, run.result.stdout + run.result.stderr);
    assert.deepEqual(run.calls.map((call) => [call.step, call.attempt, call.model, call.rejection_reason?.split(":")[0] ?? null]), [
      ["design", 1, "gpt-4o-mini", null],
      ["module", 1, "gpt-4o-mini", "validate node --check {file}"],
      ["module", 2, "gpt-4o", null],
      ["tests", 1, "gpt-4o-mini", "validate node --test"],
      ["tests", 2, "gpt-4o", null],
    ]);
    // The repair prompt carried the compiler's error to the premium model.
    const repair = server.requests.filter((request) => request.path.startsWith("/v1/chat/completions")).at(2)!.body as { messages: { content: string }[] };
    assert.match(repair.messages.at(-1)!.content, /That answer was rejected: validate node --check \{file\}: exit 1[\s\S]*SyntaxError/);

    const generated = path.join(run.directory, "generated");
    assert.match(readFileSync(path.join(generated, "slugify.mjs"), "utf8"), /replace\(\/\^-\+\|-\+\$\/g, ""\)/);
    // What was shipped passes on its own, outside orch.
    execFileSync(process.execPath, ["--test", path.join(generated, "slugify.test.mjs")], { stdio: "pipe", env: { PATH: process.env.PATH } });
    const ends = jsonEvents(run.result.stdout).filter((event) => event.type === "step-end");
    assert.deepEqual(ends.map((event) => event.type === "step-end" && [event.step, event.model]), [
      ["design", "gpt-4o-mini"],
      ["module", "gpt-4o"],
      ["tests", "gpt-4o"],
    ]);
  });
});
