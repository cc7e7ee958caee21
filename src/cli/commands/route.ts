import { loadPolicyFile } from "../../config/load-config.js";
import { didYouMean } from "../../config/suggest.js";
import { exitCodes, UsageError } from "../../errors/orch-error.js";
import { explainDecision } from "../../policy/explain.js";
import type { QualityTier, RouteRequest } from "../../policy/decision.js";
import { resolveModelReference } from "../../policy/model-ref.js";
import { openStore } from "../../store/index.js";
import { openProviders } from "../../workspace/open-providers.js";
import { routeRequest } from "../../workspace/route-request.js";
import { defineFlags, noPositionals, parseCommandArguments, positiveInteger } from "../arguments.js";
import { databaseFlag, jsonFlag, policyFlag } from "../common-flags.js";
import type { Command } from "../main.js";
import { renderRoute } from "../render/route-summary.js";
import { resolveProject } from "../../project/resolve-project.js";

const usage =
  "orch route --task TASK [--language L] [--tokens N] [--quality economy|standard|premium] [--sensitive] [--tags a,b] [--step NAME] [--pipeline NAME] [--model PIN] [--max-tokens N] [--temperature T] [--policy FILE] [--explain] [--json] [--db FILE]";

const qualities: readonly QualityTier[] = ["economy", "standard", "premium"];

const flags = defineFlags({
  task: { type: "string", placeholder: "TASK", description: "task type of the request (code, summarise, … as the policy knows them); required" },
  language: { type: "string", placeholder: "L", description: "language of the request (typescript, python, …)" },
  tokens: { type: "string", placeholder: "N", description: "estimated prompt tokens", defaultText: "1000" },
  quality: { type: "string", placeholder: "economy|standard|premium", description: "quality tier asked for", defaultText: "standard" },
  sensitive: { type: "boolean", description: "the request holds data that must stay on local models" },
  tags: { type: "string", placeholder: "a,b", description: "comma-separated tags, for tag budgets and rules" },
  step: { type: "string", placeholder: "NAME", description: "step name, for rules that match on step" },
  pipeline: { type: "string", placeholder: "NAME", description: "pipeline name, for per-pipeline budgets" },
  model: { type: "string", placeholder: "PIN", description: "pin a model (provider:model or a policy alias), as a step's model: does" },
  "max-tokens": { type: "string", placeholder: "N", description: "answer length cap, for the worst-case cost", defaultText: "4096" },
  temperature: { type: "string", placeholder: "T", description: "sampling temperature, to check each model accepts it" },
  policy: policyFlag,
  explain: { type: "boolean", description: "say why each candidate was kept or dropped" },
  json: jsonFlag,
  db: databaseFlag,
});

export const routeCommand: Command = {
  usage,
  flags,
  async run(args, output) {
    const { values, positionals } = parseCommandArguments(args, flags, usage);
    noPositionals(positionals, usage);
    const project = await resolveProject(output.env);
    const policy = await loadPolicyFile(project.requirePolicyFile(values.policy, usage), project.env, { name: project.settings?.name });
    const request = requestOf(values);
    if (request.pinnedModel !== undefined) {
      const pinned = resolveModelReference(policy.policy, request.pinnedModel);
      if (!pinned.ok) throw new UsageError({ message: `--model: ${pinned.message} in ${policy.file}`, ...(pinned.suggestion ? { hint: pinned.suggestion } : {}) });
    }

    const store = await openStore(project.databaseFile(values.db));
    const providers = openProviders(policy, { env: project.env });
    try {
      const outcome = await routeRequest(policy, request, { store, providers: providers.set });
      if (values.json) output.out(JSON.stringify({ policy: policy.file, ...outcome, explanation: explainDecision(outcome.decision, request) }, null, 2));
      else if (values.explain) for (const line of explainDecision(outcome.decision, request)) output.out(line);
      else for (const line of renderRoute(outcome, output.style)) output.out(line);
      return exitCodes.success;
    } finally {
      await providers.close();
      await store.close();
    }
  },
};

interface RouteFlags {
  task?: string | undefined;
  language?: string | undefined;
  tokens?: string | undefined;
  quality?: string | undefined;
  sensitive?: boolean | undefined;
  tags?: string | undefined;
  step?: string | undefined;
  pipeline?: string | undefined;
  model?: string | undefined;
  "max-tokens"?: string | undefined;
  temperature?: string | undefined;
}

function requestOf(values: RouteFlags): RouteRequest {
  const task = values.task;
  if (task === undefined) throw new UsageError({ message: "--task is required (code, writing, analysis, chat, …)", hint: `usage: ${usage}` });
  if (!/^[a-z][a-z0-9_-]*$/.test(task)) throw new UsageError({ message: `--task "${task}" is not a task name (lower case letters, digits, - and _)` });
  const quality = values.quality ?? "standard";
  if (!(qualities as readonly string[]).includes(quality)) {
    throw new UsageError({ message: `--quality "${quality}" is not one of ${qualities.join(", ")}`, ...hintOf(didYouMean(quality, qualities)) });
  }
  const tags = (values.tags ?? "").split(",").map((tag) => tag.trim()).filter((tag) => tag !== "");
  return {
    step: values.step ?? "route",
    ...(values.pipeline === undefined ? {} : { pipeline: values.pipeline }),
    task,
    ...(values.language === undefined ? {} : { language: values.language }),
    quality: quality as QualityTier,
    estimatedInputTokens: wholeNumber(values.tokens, "--tokens") ?? 1000,
    maxOutputTokens: positiveInteger(values["max-tokens"], "--max-tokens") ?? 4096,
    sensitive: values.sensitive ?? false,
    tags: [...new Set(tags)],
    ...(values.model === undefined ? {} : { pinnedModel: values.model }),
    ...temperatureOf(values.temperature),
  };
}

/** The step setting's range (schemas: 0 to 2), so the explanation matches what a run would send. */
function temperatureOf(value: string | undefined): { temperature?: number } {
  if (value === undefined) return {};
  const temperature = Number(value);
  if (value.trim() === "" || !Number.isFinite(temperature) || temperature < 0 || temperature > 2) {
    throw new UsageError({ message: `--temperature expects a number from 0 to 2, got "${value}"` });
  }
  return { temperature };
}

function wholeNumber(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value.replace(/_/g, ""));
  if (value.trim() === "" || !Number.isInteger(number) || number < 0) throw new UsageError({ message: `${flag} expects a whole number of tokens, got "${value}"` });
  return number;
}

function hintOf(hint: string | undefined): { hint?: string } {
  return hint === undefined ? {} : { hint };
}
