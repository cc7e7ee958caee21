/**
 * What changed between two runs, step by step: status, the model chosen and why, the prompt, the
 * output, the checks and the cost. Steps are matched by name, in the first run's order, then the
 * steps only the second run has. Pure: views in, plain data out; rendering is the CLI's.
 */
import type { CallView, RouteView, RunView, StepView, UnitPromptView } from "./run-view.js";
import { promptText } from "./run-view.js";

export interface Compared<T> {
  a: T;
  b: T;
}

export interface StepDiff {
  step: string;
  /** Absent from one run: the pipeline gained or lost the step. */
  only?: "a" | "b";
  status: Compared<string | null>;
  /** `provider:model` of the accepted answer, and the sentence that kept it on the route. */
  model: Compared<string | null>;
  why: Compared<string | null>;
  /** Candidates whose verdict or reason changed (a cool-down, a budget, availability). */
  routeChanges: string[];
  prompt: Compared<string> & { changed: boolean; hashesOnly: boolean };
  output: Compared<string> & { changed: boolean };
  /** One line per attempt whose answer the checks refused or whose call failed. */
  checks: Compared<string[]> & { changed: boolean };
  costUsd: Compared<number>;
  /** What differs, in this order: step (added or removed), status, model, route, prompt, output, checks, cost. Empty when nothing does. */
  changes: string[];
}

export interface RunDiff {
  a: Pick<RunView, "id" | "pipeline" | "status" | "startedAt" | "costUsd">;
  b: Pick<RunView, "id" | "pipeline" | "status" | "startedAt" | "costUsd">;
  steps: StepDiff[];
}

export function diffRuns(a: RunView, b: RunView): RunDiff {
  const names = [...a.steps.map((step) => step.name), ...b.steps.map((step) => step.name).filter((name) => !a.steps.some((step) => step.name === name))];
  const summary = (run: RunView) => ({ id: run.id, pipeline: run.pipeline, status: run.status, startedAt: run.startedAt, costUsd: run.costUsd });
  return {
    a: summary(a),
    b: summary(b),
    steps: names.map((name) => diffStep(name, a.steps.find((step) => step.name === name), b.steps.find((step) => step.name === name))),
  };
}

function diffStep(name: string, a: StepView | undefined, b: StepView | undefined): StepDiff {
  const promptA = promptOf(a);
  const promptB = promptOf(b);
  const hashesOnly = promptA.hashesOnly || promptB.hashesOnly;
  const prompt = { a: promptA.text, b: promptB.text, hashesOnly, changed: hashesOnly ? promptA.hash !== promptB.hash : promptA.text !== promptB.text };
  const output = { a: a?.output ?? "", b: b?.output ?? "" };
  const checks = { a: checksOf(a), b: checksOf(b) };
  const checksChanged = checks.a.join("\n") !== checks.b.join("\n");
  const model = { a: a?.chosen ?? null, b: b?.chosen ?? null };
  const status = { a: a?.status ?? null, b: b?.status ?? null };
  const routeChanges = compareRoutes(a?.route, b?.route);
  const diff: StepDiff = {
    step: name,
    ...(a === undefined ? { only: "b" as const } : b === undefined ? { only: "a" as const } : {}),
    status,
    model,
    why: { a: whyOf(a), b: whyOf(b) },
    routeChanges,
    prompt,
    output: { ...output, changed: output.a !== output.b },
    checks: { ...checks, changed: checksChanged },
    costUsd: { a: a?.costUsd ?? 0, b: b?.costUsd ?? 0 },
    changes: [],
  };
  const differs: [string, boolean][] = [
    ["step", a === undefined || b === undefined],
    ["status", status.a !== status.b],
    ["model", model.a !== model.b],
    ["route", routeChanges.length > 0],
    ["prompt", prompt.changed],
    ["output", diff.output.changed],
    ["checks", checksChanged],
    ["cost", diff.costUsd.a !== diff.costUsd.b],
  ];
  diff.changes = differs.flatMap(([kind, changed]) => (changed ? [kind] : []));
  return diff;
}

/** Every unit's prompt as text (items headed by their index); hashes stand in when only hashes were kept. */
function promptOf(step: StepView | undefined): { text: string; hash: string; hashesOnly: boolean } {
  const prompts = step?.prompts ?? [];
  const hashesOnly = prompts.some((unit) => unit.messages === undefined);
  const unitText = (unit: UnitPromptView) => (unit.messages ? promptText(unit.messages) : `(only its hash is kept: sha256 ${unit.promptSha256 ?? "unknown"})`);
  const text = prompts.map((unit) => (unit.item === null ? unitText(unit) : `# item ${unit.item}\n${unitText(unit)}`)).join("\n");
  return { text, hash: prompts.map((unit) => unit.promptSha256 ?? "").join(","), hashesOnly };
}

function checksOf(step: StepView | undefined): string[] {
  return (step?.calls ?? []).flatMap((call) => {
    const line = checkLine(call);
    return line === undefined ? [] : [`${call.item === null ? "" : `item ${call.item} `}attempt ${call.attempt} ${call.provider}:${call.model}: ${line}`];
  });
}

function checkLine(call: CallView): string | undefined {
  if (call.rejection) return `rejected: ${call.rejection}`;
  if (call.error) return `failed (${call.error.kind}): ${call.error.message}`;
  return undefined;
}

/** The route note of the chosen model (matched against its target or reference), with the rule that matched. */
function whyOf(step: StepView | undefined): string | null {
  if (!step?.route) return step?.reason ?? null;
  const { route } = step;
  const note = route.notes.find((candidate) => candidate.kept && (candidate.target === step.chosen || candidate.reference === route.chosen || candidate.reference === step.chosen));
  return `${route.matched}${note ? `; ${note.reference}: ${note.reason}` : ""}`;
}

function compareRoutes(a: RouteView | undefined, b: RouteView | undefined): string[] {
  if (!a || !b) return [];
  const changes: string[] = [];
  if (a.matched !== b.matched) changes.push(`rule: ${a.matched} → ${b.matched}`);
  const references = [...new Set([...a.notes, ...b.notes].map((note) => note.reference))];
  for (const reference of references) {
    const before = a.notes.find((note) => note.reference === reference);
    const after = b.notes.find((note) => note.reference === reference);
    if (!before || !after) {
      changes.push(`${reference}: ${before ? "no longer on the route" : `new on the route (${after!.kept ? "kept" : "dropped"}: ${after!.reason})`}`);
    } else if (before.kept !== after.kept || before.check !== after.check) {
      changes.push(`${reference}: ${verdict(before.kept)} → ${verdict(after.kept)} (${after.reason})`);
    }
  }
  return changes;
}

const verdict = (kept: boolean) => (kept ? "kept" : "dropped");
