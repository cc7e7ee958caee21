/**
 * When a pipeline fails its schema, the parts that are well-formed can still be checked (needs,
 * templates, prompt files, pinned models), so one `orch validate` reports every problem instead
 * of hiding the second half behind the first. This keeps only fields of the right shape; the
 * result is never run, only checked.
 */
import type { Pipeline } from "../generated/pipeline.js";

type Step = Pipeline["steps"][string];
type Input = NonNullable<Pipeline["inputs"]>[string];

const inputTypes: readonly string[] = ["string", "number", "boolean", "list"];

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);
const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : []);
const textSource = (value: unknown): Step["prompt"] | undefined =>
  typeof value === "string" && value !== "" ? value : isRecord(value) && typeof value.file === "string" ? { file: value.file } : undefined;

export function salvagePipeline(value: unknown): Pipeline | undefined {
  if (!isRecord(value) || !isRecord(value.steps)) return undefined;
  const steps: Record<string, Step> = {};
  for (const [name, raw] of Object.entries(value.steps)) {
    const step = isRecord(raw) ? raw : {};
    const salvaged: Step = { prompt: textSource(step.prompt) ?? " ", needs: strings(step.needs) };
    const system = textSource(step.system);
    if (system !== undefined) salvaged.system = system;
    if (typeof step.model === "string") salvaged.model = step.model;
    if (typeof step.task === "string") salvaged.task = step.task;
    if (Array.isArray(step.context)) salvaged.context = strings(step.context);
    if (isRecord(step.output) && typeof step.output.file === "string") salvaged.output = { file: step.output.file };
    const forEach = salvageForEach(step.for_each);
    if (forEach !== undefined) salvaged.for_each = forEach;
    steps[name] = salvaged;
  }
  return {
    version: 1,
    name: typeof value.name === "string" ? value.name : "pipeline",
    ...(typeof value.policy === "string" ? { policy: value.policy } : {}),
    // Templates are checked against the declared inputs and each step's items: without them, a
    // well-formed template would be reported as reading an undeclared input or `it.item` in vain.
    ...(isRecord(value.inputs) ? { inputs: salvageInputs(value.inputs) } : {}),
    steps,
  };
}

/** Each input by name, with its type when it is a known one (defaults are not needed by the checks). */
function salvageInputs(inputs: Record<string, unknown>): Record<string, Input> {
  return Object.fromEntries(
    Object.entries(inputs).map(([name, raw]): [string, Input] => {
      const type = isRecord(raw) && typeof raw.type === "string" && inputTypes.includes(raw.type) ? (raw.type as Input["type"]) : undefined;
      return [name, type === undefined ? {} : { type }];
    }),
  );
}

function salvageForEach(raw: unknown): Step["for_each"] | undefined {
  if (typeof raw === "string") return raw;
  if (!isRecord(raw)) return undefined;
  if (typeof raw.items === "string") return { items: raw.items };
  if (typeof raw.glob === "string") return { glob: raw.glob };
  const globs = strings(raw.glob);
  return globs.length > 0 ? { glob: [globs[0]!, ...globs.slice(1)] } : undefined;
}
