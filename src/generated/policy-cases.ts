/* Generated from schemas/policy-cases.schema.json by `npm run generate:types` (json-schema-to-typescript). Do not edit by hand. */

/**
 * Cases for `orch policy test <policy> <cases>`: requests and the route the policy must give each. Any mismatch fails the command.
 *
 * @minItems 1
 */
export type PolicyCases = [PolicyCase, ...PolicyCase[]];

export interface PolicyCase {
  name: string;
  description?: string;
  request: PolicyCaseRequest;
  expect: PolicyCaseExpectation;
}
/**
 * A step as the router sees it, and the state around it. Unset: quality standard, 1000 tokens, max_tokens 4096, every budget full, every provider available.
 */
export interface PolicyCaseRequest {
  task: string;
  language?: string;
  quality?: "economy" | "standard" | "premium";
  /**
   * Estimated input tokens.
   */
  tokens?: number;
  /**
   * The step's output cap.
   */
  max_tokens?: number;
  step?: string;
  tags?: string[];
  sensitive?: boolean;
  /**
   * A model pinned by the step.
   */
  model?: string;
  max_cost_usd?: number;
  /**
   * Money left per scope; a scope not given has the policy's full limit left.
   */
  budget_left?: {
    run?: number;
    day?: number;
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
  calls: number;
  successes: number;
  average_cost_usd: number;
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
