/** The API's JSON bodies checked field by field: every refusal names the field and what it expects. */
import type { QualityTier, RouteRequest } from "../policy/decision.js";
import { HttpError } from "./http-util.js";

const qualities: readonly QualityTier[] = ["economy", "standard", "premium"];

function optionalString(body: Record<string, unknown>, field: string): string | undefined {
  const value = body[field];
  if (value === undefined) return undefined;
  if (typeof value !== "string" || value === "") throw new HttpError(400, `"${field}" must be a non-empty string`, field);
  return value;
}

function optionalWhole(body: Record<string, unknown>, field: string, minimum: number): number | undefined {
  const value = body[field];
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value) || value < minimum) throw new HttpError(400, `"${field}" must be a whole number of at least ${minimum}`, field);
  return value;
}

function refuseUnknown(body: Record<string, unknown>, known: readonly string[]): void {
  const unknown = Object.keys(body).find((key) => !known.includes(key));
  if (unknown !== undefined) throw new HttpError(400, `unknown field "${unknown}": expected ${known.join(", ")}`, unknown);
}

/** POST /api/runs: `{ pipeline: "path/in/project.yaml", inputs?: { name: string|number|boolean } }`. */
export function runStartOf(body: Record<string, unknown>): { pipeline: string; inputs: Record<string, string> } {
  refuseUnknown(body, ["pipeline", "inputs"]);
  const pipeline = optionalString(body, "pipeline");
  if (pipeline === undefined) throw new HttpError(400, `"pipeline" is required: the pipeline file, relative to the project root`, "pipeline");
  const given = body.inputs ?? {};
  if (given === null || typeof given !== "object" || Array.isArray(given)) throw new HttpError(400, `"inputs" must be an object of input names to values`, "inputs");
  const inputs: Record<string, string> = {};
  for (const [name, value] of Object.entries(given)) {
    if (typeof value !== "string" && typeof value !== "number" && typeof value !== "boolean") {
      throw new HttpError(400, `"inputs.${name}" must be a string, number or boolean`, `inputs.${name}`);
    }
    inputs[name] = String(value);
  }
  return { pipeline, inputs };
}

const routeFields = ["task", "quality", "language", "tokens", "max_tokens", "sensitive", "tags", "step", "pipeline", "model", "temperature"] as const;

/** POST /api/route: the fields of `orch route`'s flags, in JSON. */
export function routeRequestOf(body: Record<string, unknown>): RouteRequest {
  refuseUnknown(body, routeFields);
  const task = optionalString(body, "task");
  if (task === undefined) throw new HttpError(400, `"task" is required (code, writing, analysis, chat, …)`, "task");
  if (!/^[a-z][a-z0-9_-]*$/.test(task)) throw new HttpError(400, `"task" is not a task name (lower case letters, digits, - and _)`, "task");
  const quality = optionalString(body, "quality") ?? "standard";
  if (!(qualities as readonly string[]).includes(quality)) throw new HttpError(400, `"quality" must be one of ${qualities.join(", ")}`, "quality");
  if (body.sensitive !== undefined && typeof body.sensitive !== "boolean") throw new HttpError(400, `"sensitive" must be true or false`, "sensitive");
  const tags = body.tags ?? [];
  if (!Array.isArray(tags) || tags.some((tag) => typeof tag !== "string")) throw new HttpError(400, `"tags" must be an array of strings`, "tags");
  const temperature = body.temperature;
  if (temperature !== undefined && (typeof temperature !== "number" || temperature < 0 || temperature > 2)) throw new HttpError(400, `"temperature" must be a number from 0 to 2`, "temperature");
  const language = optionalString(body, "language");
  const pipeline = optionalString(body, "pipeline");
  const model = optionalString(body, "model");
  return {
    step: optionalString(body, "step") ?? "route",
    ...(pipeline === undefined ? {} : { pipeline }),
    task,
    ...(language === undefined ? {} : { language }),
    quality: quality as QualityTier,
    estimatedInputTokens: optionalWhole(body, "tokens", 0) ?? 1000,
    maxOutputTokens: optionalWhole(body, "max_tokens", 1) ?? 4096,
    sensitive: body.sensitive === true,
    tags: [...new Set(tags as string[])],
    ...(model === undefined ? {} : { pinnedModel: model }),
    ...(temperature === undefined ? {} : { temperature: temperature as number }),
  };
}
