/**
 * orch as a library: `import { runPipelineFile } from "orch"`. This file is the whole public
 * surface (README, "Use orch in your own project"); every other module is internal and may change
 * between versions. The groups follow the passes of a run: load and validate → plan → route → run
 * → ledger → report.
 */

// One call: plan or run a pipeline file, as `orch plan` and `orch run` do.
export { planPipelineFile, runPipelineFile } from "./library/pipeline-file.js";
export type { PipelineFileOptions, RunPipelineFileOptions } from "./library/pipeline-file.js";

// Project settings: orch.config.yaml, ORCH_POLICY, env files — resolved as every command resolves them.
export { resolveProject } from "./project/resolve-project.js";
export type { Project } from "./project/resolve-project.js";
export type { ProjectSettings } from "./generated/project-settings.js";

// Load and validate: every problem of a pipeline and its policy, with file:line:column.
export { loadWorkspace } from "./workspace/load-workspace.js";
export type { Workspace, WorkspaceOptions, LoadedPipeline, LoadedPolicy } from "./workspace/load-workspace.js";
export { loadPipelineFile, loadPolicyFile } from "./config/load-config.js";
export { ConfigError, formatDiagnostic } from "./config/diagnostic.js";
export type { Diagnostic } from "./config/diagnostic.js";
export { OrchError, UsageError, exitCodes } from "./errors/orch-error.js";
export type { ExitCode } from "./errors/orch-error.js";
export { resolveInputs } from "./pipeline/inputs.js";
export type { InputValues } from "./pipeline/inputs.js";
export type { PipelineModel, PipelineStep, InputValue } from "./pipeline/model.js";

// Plan: the route of every step and the cost range, without calling a model.
export { planPipeline } from "./workspace/plan.js";
export type { PipelinePlan, StepPlan } from "./workspace/plan.js";

// Route: pure decisions, and decisions against this machine's budget and providers.
export { decide, explainDecision, estimateTokens } from "./policy/index.js";
export type * from "./policy/decision.js";
export { createRouter, routeRequest } from "./workspace/route-request.js";
export type { RouteOutcome } from "./workspace/route-request.js";

// Run: the executor, its event stream, and what it needs (store, providers).
export { runPipeline, defaultResultsRoot } from "./executor/run-pipeline.js";
export type { RunOptions, RunOutcome, ProviderSet } from "./executor/run-pipeline.js";
export type { RunEvent, RunEventType, RunTotals, EventListener } from "./executor/events.js";
export { openProviders } from "./workspace/open-providers.js";
export type { OpenedProviders, OpenProvidersOptions } from "./workspace/open-providers.js";
export { openStore, defaultDatabasePath } from "./store/index.js";
export type { OrchStore } from "./store/index.js";
export type { Provider, ProviderRequest, ProviderResponse, TokenUsage } from "./providers/index.js";
export { ProviderError } from "./providers/index.js";

// Ledger: where every budget stands.
export { budgetStatus, createLedger, ledgerSettingsOf, reconcileLedger, nanoToUsd, usdToNano } from "./budget/index.js";
export { formatUsd } from "./money/format-usd.js";
export type { BudgetStatus, ScopeStatus, BudgetLimits, LedgerSettings, Ledger, BudgetAlert } from "./budget/index.js";

// Report: the data behind `orch report`.
export { buildReport, readReportData, reportWindow, defaultSince } from "./report/index.js";
export type { ReportData, ReportOptions, ReportWindow, WindowFlags } from "./report/index.js";
export type { Report } from "./report/report-model.js";
