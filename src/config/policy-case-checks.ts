/**
 * Checks of a policy cases file against the policy it tests, beyond its schema: a case naming a
 * provider, model or rule the policy does not have would pass or fail for the wrong reason (a
 * misspelt `unavailable: [olama]` makes nothing unavailable), so each such name is an error.
 */
import type { PolicyCase } from "../generated/policy-cases.js";
import type { RoutingPolicy } from "../generated/routing-policy.js";
import { resolveModelReference } from "../policy/model-ref.js";
import { compareDiagnostics } from "./diagnostic.js";
import type { Diagnostic, DocumentPath } from "./diagnostic.js";
import { didYouMean } from "./suggest.js";
import type { SourceDocument } from "./yaml-document.js";

interface CaseFinding {
  path: DocumentPath;
  message: string;
  suggestion?: string;
}

const tierNames = ["economy", "standard", "premium"];

export function checkPolicyCases(document: SourceDocument, cases: readonly PolicyCase[], policy: RoutingPolicy, policyFile: string): Diagnostic[] {
  const findings = cases.flatMap((testCase, index) => [
    ...checkProviders(testCase, index, policy),
    ...checkModels(testCase, index, policy),
    ...checkMatched(testCase, index, policy),
    ...checkNamesAreUnique(cases, index),
  ]);
  return findings
    .map((finding) => document.diagnosticAt(finding.path, { ...finding, message: finding.message.replace("{policy}", policyFile) }))
    .sort(compareDiagnostics);
}

function checkProviders(testCase: PolicyCase, index: number, policy: RoutingPolicy): CaseFinding[] {
  const providers = Object.keys(policy.providers);
  return (["unavailable", "cooling_down"] as const).flatMap((key) =>
    (testCase.request[key] ?? []).flatMap((name, position): CaseFinding[] =>
      providers.includes(name)
        ? []
        : [withSuggestion([index, "request", key, position], `unknown provider "${name}" in {policy}`, didYouMean(name, providers))],
    ),
  );
}

function checkModels(testCase: PolicyCase, index: number, policy: RoutingPolicy): CaseFinding[] {
  const references: [DocumentPath, string][] = [
    ...(testCase.request.model === undefined ? [] : [[[index, "request", "model"], testCase.request.model] as [DocumentPath, string]]),
    ...(testCase.request.history ?? []).map((entry, position): [DocumentPath, string] => [[index, "request", "history", position, "model"], entry.model]),
    ...(testCase.expect.first === undefined ? [] : [[[index, "expect", "first"], testCase.expect.first] as [DocumentPath, string]]),
    ...(testCase.expect.candidates ?? []).map((name, position): [DocumentPath, string] => [[index, "expect", "candidates", position], name]),
  ];
  return references.flatMap(([path, reference]): CaseFinding[] => {
    const resolution = resolveModelReference(policy, reference);
    return resolution.ok ? [] : [withSuggestion(path, `${resolution.message} in {policy}`, resolution.suggestion)];
  });
}

function checkMatched(testCase: PolicyCase, index: number, policy: RoutingPolicy): CaseFinding[] {
  const matched = testCase.expect.matched;
  if (matched === undefined) return [];
  const names = [...(policy.rules ?? []).map((rule) => rule.name), "pinned", ...tierNames.map((tier) => `tier:${tier}`)];
  if (names.includes(matched)) return [];
  return [withSuggestion([index, "expect", "matched"], `no rule "${matched}" in {policy} (a rule name, "pinned" or "tier:<name>")`, didYouMean(matched, names))];
}

function checkNamesAreUnique(cases: readonly PolicyCase[], index: number): CaseFinding[] {
  const name = cases[index]?.name;
  const first = cases.findIndex((testCase) => testCase.name === name);
  return first === index ? [] : [{ path: [index, "name"], message: `case name "${name}" is already used by case ${first + 1}` }];
}

function withSuggestion(path: DocumentPath, message: string, suggestion: string | undefined): CaseFinding {
  return suggestion === undefined ? { path, message } : { path, message, suggestion };
}
