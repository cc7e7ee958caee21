/**
 * A paid model without a known price would make every budget a guess: it is a validation error
 * that says how to add the price, never a silent zero.
 */
import type { Diagnostic, DocumentPath } from "../config/diagnostic.js";
import type { LoadedPolicy } from "../config/load-config.js";
import { resolveModelReference } from "../policy/model-ref.js";
import { findPrices } from "../providers/price-table.js";

const meteredProviderTypes = new Set(["openai", "openrouter", "anthropic", "gemini"]);

export function checkPolicyPrices(loaded: LoadedPolicy): Diagnostic[] {
  const policy = loaded.policy;
  const references: { reference: string; path: DocumentPath }[] = [];
  for (const alias of Object.keys(policy.models)) references.push({ reference: alias, path: ["models", alias] });
  for (const [tier, chain] of Object.entries(policy.tiers)) {
    chain.forEach((reference, index) => references.push({ reference, path: ["tiers", tier, index] }));
  }
  (policy.rules ?? []).forEach((rule, ruleIndex) => {
    const chain = Array.isArray(rule.use) ? rule.use : typeof rule.use === "object" ? rule.use.best_value : [];
    const base = Array.isArray(rule.use) ? ["rules", ruleIndex, "use"] : ["rules", ruleIndex, "use", "best_value"];
    chain.forEach((reference, index) => references.push({ reference, path: [...base, index] }));
  });

  const diagnostics: Diagnostic[] = [];
  const reported = new Set<string>();
  for (const { reference, path } of references) {
    const resolution = resolveModelReference(policy, reference);
    if (!resolution.ok) continue;
    const { provider, model, alias, prices } = resolution.model;
    const type = policy.providers[provider]?.type;
    if (type === undefined || !meteredProviderTypes.has(type)) continue;
    const target = `${provider}:${model}`;
    if (reported.has(target) || findPrices(type, model, prices)) continue;
    reported.add(target);
    const where = alias ? `models.${alias}` : `an alias under models: (for example models.my-model: { model: ${target}, prices: … })`;
    diagnostics.push(
      loaded.document.diagnosticAt(path, {
        message: `no known price for ${target}: budgets cannot be enforced without one`,
        suggestion: `add prices: { input: <USD per 1M input tokens>, output: <USD per 1M output tokens> } to ${where}`,
      }),
    );
  }
  return diagnostics;
}
