/* Generated from schemas/policy-cases.schema.json by `npm run generate:types` (json-schema-to-typescript). Do not edit by hand. */

/**
 * Cases for `orch policy test <policy> <cases>`: requests and the route the policy must give each. Any mismatch fails the command.
 *
 * @minItems 1
 */
export type PolicyCases = [PolicyCase, ...PolicyCase[]];

export interface PolicyCase {
  /**
   * The case's name, unique in the file; `orch policy test` reports by it.
   */
  name: string;
  /**
   * Why this case matters, shown when it fails.
   */
  description?: string;
  request: PolicyCaseRequest;
  expect: PolicyCaseExpectation;
}
/**
 * A step as the router sees it, and the state around it. Unset: quality standard, 1000 tokens, max_tokens 4096, every budget full, every provider available.
 */
export interface PolicyCaseRequest {
  /**
   * The task type: code, writing, analysis, docs, edit, chat, or one the policy declares.
   */
  task: string;
  /**
   * The request's language, as a step's `language`.
   */
  language?: string;
  /**
   * The quality tier asked for: economy, standard or premium.
   */
  quality?: "economy" | "standard" | "premium";
  /**
   * Estimated input tokens.
   */
  tokens?: number;
  /**
   * The step's output cap.
   */
  max_tokens?: number;
  /**
   * The step name, for rules that match on it.
   */
  step?: string;
  /**
   * The request's tags, for rules and tag budgets.
   */
  tags?: string[];
  /**
   * The request holds data that must stay on local models.
   */
  sensitive?: boolean;
  /**
   * A model pinned by the step.
   */
  model?: string;
  /**
   * The request's spend ceiling, as a step's `max_cost_usd`.
   */
  max_cost_usd?: number;
  /**
   * Money left per scope; a scope not given has the policy's full limit left.
   */
  budget_left?: {
    /**
     * USD left in the run for the case (default: the whole run limit).
     */
    run?: number;
    /**
     * USD left today for the case (default: the whole daily limit).
     */
    day?: number;
    /**
     * USD left this month for the case (default: the whole monthly limit).
     */
    month?: number;
  };
  /**
   * Providers to treat as unavailable.
   */
  unavailable?: string[];
  /**
   * Providers cooling down after repeated failures.
   */
  cooling_down?: string[];
  /**
   * Past results per model on this task type, for best-value rules.
   */
  history?: PolicyCaseHistory[];
}
export interface PolicyCaseHistory {
  /**
   * An alias or provider:model.
   */
  model: string;
  /**
   * Calls this model made for the task type.
   */
  calls: number;
  /**
   * Of those calls, how many were accepted.
   */
  successes: number;
  /**
   * Average cost of those calls in USD, for best_value ordering.
   */
  average_cost_usd: number;
  /**
   * Average latency of those calls in milliseconds.
   */
  average_latency_ms?: number;
}
/**
 * What the route must be; only the keys given are checked.
 */
export interface PolicyCaseExpectation {
  /**
   * The first candidate: its alias or provider:model.
   */
  first?: string;
  /**
   * Every kept candidate, in order (aliases or provider:model).
   */
  candidates?: string[];
  /**
   * The rule that matched, `pinned`, or `tier:<name>` when none did.
   */
  matched?: string;
  /**
   * Text that must appear in the explanation (`orch route --explain`).
   */
  reason_contains?: string;
  /**
   * The action taken because no model fitted.
   */
  exhausted?: "local" | "defer" | "fail";
}
