/**
 * Turns a Decision into lines a person reads (`orch route --explain`, `orch plan`): the route
 * taken and why, the rules passed over, emergency mode, each candidate kept or dropped with its
 * sentence, and the outcome. No colours or widths from the terminal: the CLI decorates.
 */
import type { CandidateNote, Decision, RouteRequest } from "./decision.js";
import { formatBalance, formatCount, formatLimit, scopeWords } from "./format.js";

/** Why a candidate was dropped, without the note's own "dropped: " lead (for lines that say "passed over X: …"). */
export function droppedBecause(note: CandidateNote): string {
  return note.reason.replace(/^dropped: /, "");
}

export function explainDecision(decision: Decision, request?: RouteRequest): string[] {
  const lines = [`route: ${describeRoute(decision)}`];
  if (request) lines.push(`request: ${describeRequest(request, decision)}`);
  if (decision.rules?.length) {
    lines.push("rules:");
    const width = Math.max(...decision.rules.map((check) => check.rule.length));
    for (const check of decision.rules) {
      lines.push(`  ${check.matched ? "yes" : "no "}  ${check.rule.padEnd(width)}  ${check.reason}`);
    }
  }
  if (decision.emergency) {
    const { leftUsd, scope, thresholdUsd } = decision.emergency;
    lines.push(`emergency mode: ${formatBalance(leftUsd)} left ${scopeWords(scope)} is under ${formatLimit(thresholdUsd)}; only free providers are used`);
  }
  lines.push("candidates:");
  const labels = decision.notes.map(labelOf);
  const width = Math.max(0, ...labels.map((label) => label.length));
  let rank = 0;
  decision.notes.forEach((note, index) => {
    const marker = note.kept ? `${++rank}.` : "- ";
    lines.push(`  ${marker.padEnd(3)} ${(labels[index] ?? note.reference).padEnd(width)}  ${note.reason}`);
  });
  lines.push(describeOutcome(decision));
  if (decision.valueUsd !== undefined) {
    lines.push(`value: an accepted answer is worth ${formatLimit(decision.valueUsd)}; after a rejection, a model is tried only while its chance × that value covers its cost`);
  }
  return lines;
}

/** `rule "js-code" — task is "code", …`, with `→ tier economy` or `→ best value of 4 models` when so. */
function describeRoute(decision: Decision): string {
  if (decision.matched === "pinned") return `model pinned by the step${decision.notes[0] ? ` (${decision.notes[0].reference})` : ""}`;
  const how =
    decision.strategy === "best-value" ? ` → best value of ${decision.notes.length} models` : decision.tier ? ` → tier ${decision.tier}` : "";
  if (decision.matched.startsWith("tier:")) return `no rule matched${how}`;
  const why = decision.rules?.find((check) => check.rule === decision.matched && check.matched)?.reason;
  return `rule "${decision.matched}"${how}${why ? ` — ${why}` : ""}`;
}

function describeRequest(request: RouteRequest, decision: Decision): string {
  const parts = [`task ${request.task}`];
  if (request.language) parts.push(`language ${request.language}`);
  parts.push(`quality ${request.quality}`);
  const band = decision.complexity ? ` (${decision.complexity})` : "";
  parts.push(`${formatCount(request.estimatedInputTokens)} input tokens${band}`);
  parts.push(`output cap ${formatCount(request.maxOutputTokens)}`);
  if (request.sensitive) parts.push("sensitive");
  if (request.tags.length) parts.push(`tags ${request.tags.join(", ")}`);
  if (request.maxCostUsd !== undefined) parts.push(`max ${formatLimit(request.maxCostUsd)} a call`);
  if (request.temperature !== undefined) parts.push(`temperature ${request.temperature}`);
  return parts.join(", ");
}

function labelOf(note: CandidateNote): string {
  return note.target && note.target !== note.reference ? `${note.reference} (${note.target})` : note.reference;
}

function describeOutcome(decision: Decision): string {
  const first = decision.candidates[0];
  const exhausted = decision.exhausted;
  if (exhausted && exhausted.action !== "local") return `outcome: ${exhausted.action} — ${exhausted.reason}`;
  const prefix = exhausted ? `outcome: local fallback — ${exhausted.reason}; ` : "outcome: ";
  if (!first) return `${prefix}no candidate`;
  const others = decision.candidates.length - 1;
  return `${prefix}try ${first.reference} first${others ? `, then ${others} more` : ""}`;
}
