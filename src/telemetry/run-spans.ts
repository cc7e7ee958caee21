/**
 * A run's event stream turned into one trace: a `run <pipeline>` span (the root), a
 * `step <name>` span per step under it, and a `chat <model>` span per attempt under its step
 * (cache hits included, marked `orch.cache.hit`). A reader of events only: the executor does not
 * know traces exist.
 *
 * A step's spans are made when the step ends, with the times its events carry: only then is its
 * route recorded (the step result holds the decision), and every attempt span can say why its
 * model was chosen. The run span is opened at `run-start` and closed at `run-end`.
 */
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type Context, type Span, type Tracer } from "@opentelemetry/api";
import type { RunEvent } from "../executor/events.js";
import type { ProviderType } from "../providers/provider.js";
import {
  attemptAttributes,
  attemptSpanName,
  budgetAlertAttributes,
  budgetOverrunAttributes,
  runEndAttributes,
  stepAttributes,
  type StepRequest,
  type StepRoute,
} from "./span-attributes.js";

/** What the events do not carry and the spans need, from the pipeline, the policy and the store. */
export interface RunTraceDetails {
  /** Provider id (the key under `providers:`) → its type, for `gen_ai.provider.name`. */
  providerTypes: ReadonlyMap<string, ProviderType>;
  /** Step name → the request parameters its calls carry. */
  stepRequests: ReadonlyMap<string, StepRequest>;
  /** The step's route as recorded when it ended; undefined when it has none (skipped, reused). */
  routeOf?: (runId: string, step: string) => StepRoute | undefined;
}

type AttemptStart = Extract<RunEvent, { type: "attempt-start" }>;
type AttemptEnd = Extract<RunEvent, { type: "attempt-end" }>;

interface StepTrace {
  startedAt: number;
  started: Map<string, AttemptStart>;
  attempts: { start?: AttemptStart; end: AttemptEnd }[];
  rejected: Set<string>;
  overruns: Map<string, number>;
  events: { name: string; attributes: Attributes; at: number }[];
}

const unitKey = (item: number | undefined, attempt: number): string => `${item ?? ""}:${attempt}`;

export function createRunSpans(tracer: Tracer, details: RunTraceDetails): (event: RunEvent) => void {
  let runId = "";
  let runSpan: Span | undefined;
  let runContext: Context = ROOT_CONTEXT;
  const steps = new Map<string, StepTrace>();

  const stepTrace = (step: string, at: number): StepTrace => {
    let found = steps.get(step);
    if (!found) {
      found = { startedAt: at, started: new Map(), attempts: [], rejected: new Set(), overruns: new Map(), events: [] };
      steps.set(step, found);
    }
    return found;
  };

  const endStep = (event: Extract<RunEvent, { type: "step-end" }>): void => {
    const at = Date.parse(event.at);
    const state = stepTrace(event.step, at);
    steps.delete(event.step);
    const route = details.routeOf?.(runId, event.step);
    const span = tracer.startSpan(`step ${event.step}`, { kind: SpanKind.INTERNAL, startTime: state.startedAt, attributes: stepAttributes(event, route) }, runContext);
    if (event.status === "failed" || event.status === "budget_stopped") span.setStatus({ code: SpanStatusCode.ERROR, message: `step ${event.status}` });
    for (const happened of state.events) span.addEvent(happened.name, happened.attributes, happened.at);
    const stepContext = trace.setSpan(runContext, span);
    const request = details.stepRequests.get(event.step);
    const providerType = (provider: string) => details.providerTypes.get(provider);
    for (const { start, end } of state.attempts) {
      const key = unitKey(end.item, end.attempt);
      const overrunUsd = state.overruns.get(key);
      const facts = {
        step: event.step,
        ...(start ? { start } : {}),
        end,
        ...(providerType(end.provider) ? { providerType: providerType(end.provider)! } : {}),
        ...(request ? { request } : {}),
        ...(route ? { route } : {}),
        ...(state.rejected.has(key) ? { rejected: true } : {}),
        ...(overrunUsd === undefined ? {} : { overrunUsd }),
      };
      const endedAt = Date.parse(end.at);
      const attempt = tracer.startSpan(
        attemptSpanName(facts),
        // A cache hit calls nobody: an internal span. A call is a client span, as the conventions ask.
        { kind: end.cached ? SpanKind.INTERNAL : SpanKind.CLIENT, startTime: start ? Date.parse(start.at) : endedAt, attributes: attemptAttributes(facts) },
        stepContext,
      );
      if (end.error) attempt.setStatus({ code: SpanStatusCode.ERROR, message: end.error.message });
      attempt.end(endedAt);
    }
    span.end(at);
  };

  return (event) => {
    switch (event.type) {
      case "run-start":
        runId = event.runId;
        runSpan = tracer.startSpan(
          `run ${event.pipeline}`,
          {
            kind: SpanKind.INTERNAL,
            startTime: Date.parse(event.at),
            attributes: { "orch.run.id": event.runId, "orch.pipeline": event.pipeline, "orch.run.steps": event.steps.length, ...(event.resumed ? { "orch.run.resumed": true } : {}) },
          },
          ROOT_CONTEXT,
        );
        runContext = trace.setSpan(ROOT_CONTEXT, runSpan);
        return;
      case "step-start":
        stepTrace(event.step, Date.parse(event.at));
        return;
      case "attempt-start":
        stepTrace(event.step, Date.parse(event.at)).started.set(unitKey(event.item, event.attempt), event);
        return;
      case "attempt-end": {
        const state = stepTrace(event.step, Date.parse(event.at));
        const key = unitKey(event.item, event.attempt);
        const start = state.started.get(key);
        state.started.delete(key);
        state.attempts.push({ ...(start ? { start } : {}), end: event });
        return;
      }
      case "answer-rejected":
        stepTrace(event.step, Date.parse(event.at)).rejected.add(unitKey(event.item, event.attempt));
        return;
      case "candidate-skipped":
        stepTrace(event.step, Date.parse(event.at)).events.push({
          name: "orch.candidate.skipped",
          attributes: { "orch.model.reference": event.reference, "orch.route.reason": event.reason },
          at: Date.parse(event.at),
        });
        return;
      case "provider-wait":
        stepTrace(event.step, Date.parse(event.at)).events.push({
          name: "orch.provider.wait",
          attributes: { "orch.provider": event.provider, "orch.wait_ms": event.waitMs, "orch.wait.reason": event.reason, ...(event.holder ? { "orch.wait.holder": event.holder } : {}) },
          at: Date.parse(event.at),
        });
        return;
      case "step-end":
        endStep(event);
        return;
      case "budget-alert":
        runSpan?.addEvent("orch.budget.alert", budgetAlertAttributes(event), Date.parse(event.at));
        return;
      case "budget-overrun":
        stepTrace(event.step, Date.parse(event.at)).overruns.set(unitKey(event.item, event.attempt), event.overrunUsd);
        runSpan?.addEvent("orch.budget.overrun", budgetOverrunAttributes(event), Date.parse(event.at));
        return;
      case "run-end":
        if (!runSpan) return;
        runSpan.setAttributes(runEndAttributes(event));
        if (event.status !== "succeeded") runSpan.setStatus({ code: SpanStatusCode.ERROR, message: `run ${event.status}` });
        runSpan.end(Date.parse(event.at));
        runSpan = undefined;
        return;
      default:
        // items-start, item-end: the attempt spans carry `orch.item`; nothing more to add.
        return;
    }
  };
}
