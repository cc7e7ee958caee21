/**
 * Checks of a routing policy that JSON Schema cannot express: references between its parts
 * (providers, aliases, tiers, task types) and values only the runtime can judge (time zones).
 * Each check is one small function over a schema-valid policy; add new ones to `policyChecks`.
 */
import { resolveModelReference, splitModelTarget } from "../policy/model-ref.js";
import type { RoutingPolicy } from "../generated/routing-policy.js";
import { compareDiagnostics } from "./diagnostic.js";
import type { Diagnostic, DocumentPath } from "./diagnostic.js";
import { didYouMean } from "./suggest.js";
import { taskTypesOf } from "./task-types.js";
import type { SourceDocument } from "./yaml-document.js";

interface PolicyFinding {
  path: DocumentPath;
  message: string;
  expected?: string;
  suggestion?: string;
}

type PolicyCheck = (policy: RoutingPolicy) => PolicyFinding[];

const tierNames = ["economy", "standard", "premium"] as const;

const policyChecks: readonly PolicyCheck[] = [
  checkAliasProviders,
  checkChains,
  checkRuleNamesAreUnique,
  checkRuleConditions,
  checkTimeZone,
];

export function checkPolicySemantics(document: SourceDocument, policy: RoutingPolicy): Diagnostic[] {
  return policyChecks
    .flatMap((check) => check(policy))
    .map((finding) => document.diagnosticAt(finding.path, finding))
    .sort(compareDiagnostics);
}

function finding(path: DocumentPath, message: string, expected?: string, suggestion?: string): PolicyFinding {
  return {
    path,
    message,
    ...(expected === undefined ? {} : { expected }),
    ...(suggestion === undefined ? {} : { suggestion }),
  };
}

function shortList(words: readonly string[], limit = 8): string {
  return words.length > limit ? `${words.slice(0, limit).join(", ")}, …` : words.join(", ");
}

function checkAliasProviders(policy: RoutingPolicy): PolicyFinding[] {
  const providers = Object.keys(policy.providers);
  return Object.entries(policy.models).flatMap(([alias, entry]) => {
    const target = typeof entry === "string" ? entry : entry.model;
    const provider = splitModelTarget(target)?.provider;
    if (provider === undefined || providers.includes(provider)) return [];
    const path = typeof entry === "string" ? ["models", alias] : ["models", alias, "model"];
    return [finding(path, `unknown provider "${provider}"`, `one of: ${shortList(providers)}`, didYouMean(provider, providers))];
  });
}

/** Every chain of model references in the policy, with where it is written. */
function chainsOf(policy: RoutingPolicy): { path: DocumentPath; references: readonly string[] }[] {
  const chains: { path: DocumentPath; references: readonly string[] }[] = tierNames.map((tier) => ({
    path: ["tiers", tier],
    references: policy.tiers[tier],
  }));
  if (policy.escalate) chains.push({ path: ["escalate"], references: policy.escalate });
  (policy.rules ?? []).forEach((rule, index) => {
    if (rule.escalate) chains.push({ path: ["rules", index, "escalate"], references: rule.escalate });
    const use: unknown = rule.use;
    if (Array.isArray(use)) chains.push({ path: ["rules", index, "use"], references: use.map(String) });
    else if (typeof use === "object" && use !== null && "best_value" in use && Array.isArray(use.best_value)) {
      chains.push({ path: ["rules", index, "use", "best_value"], references: use.best_value.map(String) });
    }
  });
  return chains;
}

function checkChains(policy: RoutingPolicy): PolicyFinding[] {
  const aliases = Object.keys(policy.models);
  const expected = aliases.length > 0 ? `a model alias (${shortList(aliases)}) or "provider:model"` : `"provider:model"`;
  return chainsOf(policy).flatMap(({ path, references }) =>
    references.flatMap((reference, index) => {
      // A broken alias is reported once, where it is defined, not at every use.
      if (Object.hasOwn(policy.models, reference)) return [];
      const resolution = resolveModelReference(policy, reference);
      if (resolution.ok) return [];
      return [finding([...path, index], resolution.message, expected, resolution.suggestion)];
    }),
  );
}

function checkRuleNamesAreUnique(policy: RoutingPolicy): PolicyFinding[] {
  const firstIndex = new Map<string, number>();
  return (policy.rules ?? []).flatMap((rule, index) => {
    const first = firstIndex.get(rule.name);
    if (first === undefined) {
      firstIndex.set(rule.name, index);
      return [];
    }
    const message = `duplicate rule name "${rule.name}" (also rules[${first}])`;
    return [finding(["rules", index, "name"], message, undefined, "give every rule its own name")];
  });
}

/** Each string of a `task`/`quality` condition value, which may be one string or a list. */
function conditionValues(value: unknown, path: DocumentPath): { value: string; path: DocumentPath }[] {
  if (typeof value === "string") return [{ value, path }];
  if (Array.isArray(value)) return value.map((item, index) => ({ value: String(item), path: [...path, index] }));
  return [];
}

function checkRuleConditions(policy: RoutingPolicy): PolicyFinding[] {
  const taskTypes = taskTypesOf(policy);
  const findings: PolicyFinding[] = [];
  const visit = (condition: unknown, path: DocumentPath): void => {
    if (typeof condition !== "object" || condition === null) return;
    const fields = condition as Record<string, unknown>;
    for (const task of conditionValues(fields.task, [...path, "task"])) {
      if (taskTypes.includes(task.value)) continue;
      const suggestion = didYouMean(task.value, taskTypes) ?? `declare it under "tasks:" to add a task type`;
      findings.push(finding(task.path, `unknown task type "${task.value}"`, `one of ${taskTypes.join(", ")}`, suggestion));
    }
    for (const quality of conditionValues(fields.quality, [...path, "quality"])) {
      if ((tierNames as readonly string[]).includes(quality.value)) continue;
      const message = `unknown quality tier "${quality.value}"`;
      findings.push(finding(quality.path, message, `one of ${tierNames.join(", ")}`, didYouMean(quality.value, tierNames)));
    }
    for (const group of ["all", "any"] as const) {
      if (Array.isArray(fields[group])) fields[group].forEach((inner, index) => visit(inner, [...path, group, index]));
    }
    visit(fields.not, [...path, "not"]);
  };
  (policy.rules ?? []).forEach((rule, index) => visit(rule.when, ["rules", index, "when"]));
  return findings;
}

function checkTimeZone(policy: RoutingPolicy): PolicyFinding[] {
  const timeZone = policy.budget?.time_zone;
  if (timeZone === undefined) return [];
  try {
    new Intl.DateTimeFormat("en-US", { timeZone });
    return [];
  } catch {
    const suggestion = didYouMean(timeZone, Intl.supportedValuesOf("timeZone"));
    const expected = `an IANA time zone such as "Europe/Paris" or "UTC"`;
    return [finding(["budget", "time_zone"], `unknown time zone "${timeZone}"`, expected, suggestion)];
  }
}
