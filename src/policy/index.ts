/** The routing engine's public surface: decide, explain, estimate, and test policies. */
export { decide } from "./decide.js";
export { explainDecision } from "./explain.js";
export { estimateTokens } from "./estimate-tokens.js";
export { complexityOf } from "./complexity.js";
export { evaluateCondition } from "./conditions.js";
export type { ConditionFacts, ConditionResult } from "./conditions.js";
export { runPolicyCases, formatPolicyTestResult, assumedProviderStates, fullBudget } from "./policy-test.js";
export type { PolicyStateDefaults, PolicyTestResult, PolicyCaseFailure, PolicyCaseActual } from "./policy-test.js";
export { parseDuration } from "./duration.js";
export type * from "./decision.js";
