/**
 * When a pipeline fails its schema, the parts that are well-formed can still be checked (needs,
 * templates, prompt files, pinned models), so one `orch validate` reports every problem instead
 * of hiding the second half behind the first. This keeps only fields of the right shape; the
 * result is never run, only checked.
 */
import type { Pipeline } from "../generated/pipeline.js";

type Step = Pipeline["steps"][string];

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
    steps[name] = salvaged;
  }
  return {
    version: 1,
    name: typeof value.name === "string" ? value.name : "pipeline",
    ...(typeof value.policy === "string" ? { policy: value.policy } : {}),
    steps,
  };
}
