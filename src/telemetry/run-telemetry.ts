/**
 * Traces for the runs of one command: the settings decide whether there are any; then every run
 * event also goes to `createRunSpans`, and `finish` flushes within a bound and says, in one line
 * at most, that the collector did not take them. Nothing here can fail or hold up a run: a span
 * that cannot be made is dropped, an export that fails is counted.
 */
import type { RunEvent } from "../executor/events.js";
import type { ProjectSettings } from "../generated/project-settings.js";
import type { RoutingPolicy } from "../generated/routing-policy.js";
import type { PipelineModel } from "../pipeline/model.js";
import type { ProviderType } from "../providers/provider.js";
import type { StepRequest, StepRoute } from "./span-attributes.js";
import type { TraceExport } from "./trace-export.js";
import { shownUrl, traceSetupOf } from "./trace-settings.js";

export interface RunTelemetry {
  onEvent(event: RunEvent): void;
  /** Resolves once every event given so far has been turned into spans (a step's route is read from the store first). */
  idle(): Promise<void>;
  /** Flushes (bounded); resolves with a warning line when spans were lost, else undefined. */
  finish(): Promise<string | undefined>;
}

export interface RunTelemetryOptions {
  /** The real environment over the project's env files. */
  env: NodeJS.ProcessEnv;
  settings: ProjectSettings | undefined;
  pipeline: PipelineModel;
  policy: RoutingPolicy;
  /** The step result's route as JSON (the store's `stepRoute`). */
  stepRoute?: (runId: string, step: string) => Promise<string | undefined>;
  /** For tests: the export to use instead of the OTLP exporter the settings name. */
  traceExport?: TraceExport;
}

/**
 * Undefined when no endpoint is configured (or export is turned off): then the OpenTelemetry SDK
 * is not even loaded, so commands without traces start as fast as before.
 */
export async function startRunTelemetry(options: RunTelemetryOptions): Promise<RunTelemetry | undefined> {
  const setup = traceSetupOf(options.env, options.settings?.telemetry);
  if (setup.kind === "invalid") return { onEvent: () => undefined, idle: async () => undefined, finish: async () => setup.warning };
  const settings = setup.kind === "on" ? setup.settings : undefined;
  if (settings === undefined && options.traceExport === undefined) return undefined;
  const [{ createRunSpans }, { openTraceExport, finalFlushBoundMs }] = await Promise.all([import("./run-spans.js"), import("./trace-export.js")]);
  const traceExport = options.traceExport ?? openTraceExport(settings!);
  const readRoute = options.stepRoute;
  // A step's route is read from the store (asynchronous) when its step-end arrives, before the
  // event goes on to the spans; events are handled one after another so spans keep their order.
  const routes = new Map<string, StepRoute | undefined>();
  let runId = "";
  let handled: Promise<void> = Promise.resolve();
  const toSpans = createRunSpans(traceExport.tracer, {
    providerTypes: new Map(Object.entries(options.policy.providers).map(([id, provider]) => [id, provider.type as ProviderType])),
    stepRequests: new Map(
      [...options.pipeline.steps.values()].map((step): [string, StepRequest] => [step.name, { maxTokens: step.maxTokens, ...(step.temperature === undefined ? {} : { temperature: step.temperature }) }]),
    ),
    ...(readRoute ? { routeOf: (_runId: string, step: string) => routes.get(step) } : {}),
  });
  let brokenSpans = 0;
  const handle = async (event: RunEvent): Promise<void> => {
    try {
      if (event.type === "run-start") runId = event.runId;
      if (event.type === "step-end" && readRoute) routes.set(event.step, await routeFromJson(readRoute, runId, event.step));
      toSpans(event);
      if (event.type === "step-end") routes.delete(event.step);
    } catch {
      brokenSpans++;
    }
  };
  return {
    onEvent(event) {
      handled = handled.then(() => handle(event));
    },
    idle: () => handled,
    async finish() {
      await handled;
      const problems = await traceExport.finish();
      const where = settings ? shownUrl(settings.tracesUrl) : "the test exporter";
      if (problems.timedOut) return `warning: traces: ${where} did not take the run's spans within ${finalFlushBoundMs / 1000} s; some were not exported`;
      if (problems.failedExports > 0) return `warning: traces: ${problems.failedExports} export${problems.failedExports === 1 ? "" : "s"} to ${where} failed; the run's spans were not all exported`;
      if (brokenSpans > 0) return `warning: traces: ${brokenSpans} run event${brokenSpans === 1 ? "" : "s"} could not be turned into spans`;
      return undefined;
    },
  };
}

async function routeFromJson(read: (runId: string, step: string) => Promise<string | undefined>, runId: string, step: string): Promise<StepRoute | undefined> {
  try {
    const text = await read(runId, step);
    if (text === undefined) return undefined;
    const route = JSON.parse(text) as Partial<StepRoute> | null;
    if (!route || typeof route.matched !== "string" || !Array.isArray(route.notes)) return undefined;
    return { matched: route.matched, notes: route.notes };
  } catch {
    return undefined;
  }
}
