/**
 * When no candidate is left, `budget.when_exhausted` decides: `local` falls back to the policy's
 * local models (checked like any other candidate), `defer` postpones the step by `defer_for`
 * (default 1h), `fail` stops it. The reason sums up why every candidate was dropped.
 */
import type { RoutingPolicy } from "../generated/routing-policy.js";
import { assessChain, type Assessment, type AssessmentContext } from "./candidates.js";
import type { CandidateCheck, CandidateNote, Decision } from "./decision.js";
import { formatDuration } from "./format.js";
import { parseDuration } from "./duration.js";
import { resolveModelReference } from "./model-ref.js";

const defaultDeferMs = 3_600_000;

/** Drops that time can undo: money comes back with a new day, providers come back up. */
const passingChecks: ReadonlySet<CandidateCheck> = new Set(["budget", "emergency", "unavailable", "cooling-down"]);

const checkWords: Record<Exclude<CandidateCheck, "kept" | "duplicate">, string> = {
  unresolved: "unknown",
  sensitive: "not local (sensitive step)",
  unavailable: "unavailable",
  "cooling-down": "cooling down",
  "no-price": "without a known price",
  "context-window": "too small a context window",
  emergency: "paid (emergency mode)",
  "max-cost": "over max_cost_usd",
  budget: "over budget",
};

/** `no model fits: 2 over budget, 1 unavailable`. */
export function summariseDrops(notes: readonly CandidateNote[]): string {
  const counts = new Map<string, number>();
  for (const note of notes) {
    if (note.kept || note.check === undefined || note.check === "kept" || note.check === "duplicate") continue;
    const words = checkWords[note.check];
    counts.set(words, (counts.get(words) ?? 0) + 1);
  }
  if (counts.size === 0) return "no model fits: the chain is empty";
  return `no model fits: ${[...counts].map(([words, count]) => `${count} ${words}`).join(", ")}`;
}

export function applyWhenExhausted(decision: Decision, context: AssessmentContext): Decision {
  const action = context.policy.budget?.when_exhausted ?? "fail";
  const summary = summariseDrops(decision.notes);
  if (action === "fail") return { ...decision, exhausted: { action, reason: `${summary}; the step fails (when_exhausted: fail)` } };
  if (action === "defer" && !decision.notes.some((note) => note.check !== undefined && passingChecks.has(note.check))) {
    return { ...decision, exhausted: { action: "fail", reason: `${summary}; waiting would not change that, so the step fails (when_exhausted: defer)` } };
  }
  if (action === "defer") {
    const text = context.policy.budget?.defer_for;
    const retryAfterMs = (text === undefined ? undefined : parseDuration(text)) ?? defaultDeferMs;
    return {
      ...decision,
      exhausted: { action, retryAfterMs, reason: `${summary}; deferred for ${formatDuration(retryAfterMs)} (when_exhausted: defer)` },
    };
  }
  const considered = new Set(decision.notes.flatMap((note) => (note.target ? [note.target] : [])));
  const fallback = assessChain(localModelReferences(context), context, considered).filter((assessment) => assessment.note.check !== "duplicate");
  const notes = [...decision.notes, ...fallback.map((assessment) => assessment.note)];
  const candidates = fallback.flatMap((assessment: Assessment) => (assessment.candidate ? [assessment.candidate] : []));
  if (candidates.length === 0) {
    const hasLocalModels = fallback.length > 0 || localModelReferences(context).length > 0;
    const reason = hasLocalModels ? "no local model is available either" : "the policy has no local model";
    return { ...decision, notes, exhausted: { action: "fail", reason: `${summary}; ${reason} (when_exhausted: local)` } };
  }
  return { ...decision, notes, candidates, exhausted: { action, reason: `${summary}; falling back to local models (when_exhausted: local)` } };
}

/**
 * Every model the policy mentions whose provider is local, in the order written: aliases first
 * (so notes show alias names), then tier chains, then rules.
 */
export function localModelReferences(context: AssessmentContext): string[] {
  const { policy, state } = context;
  const references = [...Object.keys(policy.models), ...Object.values(policy.tiers).flat(), ...(policy.rules ?? []).flatMap(referencesOfRule)];
  const seen = new Set<string>();
  const local: string[] = [];
  for (const reference of references) {
    const resolution = resolveModelReference(policy, reference);
    if (!resolution.ok) continue;
    const target = `${resolution.model.provider}:${resolution.model.model}`;
    if (seen.has(target)) continue;
    seen.add(target);
    if (state.providers[resolution.model.provider]?.local) local.push(reference);
  }
  return local;
}

function referencesOfRule(rule: NonNullable<RoutingPolicy["rules"]>[number]): string[] {
  if (typeof rule.use === "string") return [];
  return Array.isArray(rule.use) ? rule.use : rule.use.best_value;
}
