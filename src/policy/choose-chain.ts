/**
 * Which chain of models a request gets: the pinned model; else the first rule whose `when`
 * matches (its `use`: a chain, a tier, or a best-value set); else the chain of the request's tier.
 */
import type { RoutingPolicy, Rule } from "../generated/routing-policy.js";
import { evaluateCondition, type ConditionFacts } from "./conditions.js";
import type { Decision, QualityTier, RuleCheck } from "./decision.js";

export interface ChosenChain {
  matched: string;
  references: readonly string[];
  strategy: NonNullable<Decision["strategy"]>;
  tier?: QualityTier;
  rules: RuleCheck[];
  /** What an accepted answer is worth: the best-value rule's `value_usd`, else the policy's. */
  valueUsd?: number;
}

export function chooseChain(policy: RoutingPolicy, facts: ConditionFacts): ChosenChain {
  const chosen = chooseReferences(policy, facts);
  const valueUsd = chosen.valueUsd ?? policy.value_usd;
  return valueUsd === undefined ? chosen : { ...chosen, valueUsd };
}

function chooseReferences(policy: RoutingPolicy, facts: ConditionFacts): ChosenChain {
  const { pinnedModel, quality } = facts.request;
  if (pinnedModel !== undefined) return { matched: "pinned", references: [pinnedModel], strategy: "chain", rules: [] };

  const rules: RuleCheck[] = [];
  for (const rule of policy.rules ?? []) {
    const result = rule.when ? evaluateCondition(rule.when, facts) : { matched: true, reason: "no condition, always matches" };
    rules.push({ rule: rule.name, matched: result.matched, reason: result.reason });
    if (result.matched) return { matched: rule.name, rules, ...chainOfRule(policy, rule) };
  }
  return { matched: `tier:${quality}`, references: policy.tiers[quality], strategy: "chain", tier: quality, rules };
}

function chainOfRule(policy: RoutingPolicy, rule: Rule): Pick<ChosenChain, "references" | "strategy" | "tier" | "valueUsd"> {
  const { use } = rule;
  if (typeof use === "string") return { references: policy.tiers[use], strategy: "chain", tier: use };
  if (Array.isArray(use)) return { references: use, strategy: "chain" };
  return { references: use.best_value, strategy: "best-value", ...(use.value_usd === undefined ? {} : { valueUsd: use.value_usd }) };
}
