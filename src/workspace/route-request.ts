/**
 * `orch route`: one routing decision against the real state of this machine — money left in the
 * user's store, providers as they answer now — without calling a model or reserving anything.
 */
import { createLedger } from "../budget/ledger.js";
import { ledgerSettingsOf } from "../budget/limits.js";
import type { LoadedPolicy } from "../config/load-config.js";
import { createRunLearning } from "../executor/learning.js";
import { createPriceLookup } from "../executor/prices.js";
import { createProviderHealth, withCooldowns } from "../executor/provider-health.js";
import { providerStatesOf } from "../executor/provider-states.js";
import type { ProviderSet } from "../executor/run-pipeline.js";
import { decide } from "../policy/decide.js";
import type { Decision, ProviderState, RouteRequest, RoutingState } from "../policy/decision.js";
import type { OrchStore } from "../contracts/orch-store.js";

export interface RouteOutcome {
  request: RouteRequest;
  decision: Decision;
  budgetLeftUsd: RoutingState["budgetLeftUsd"];
  providers: Record<string, ProviderState>;
}

/** The run scope is untouched outside a run, so its full limit counts as left. */
const noRun = "route (no run)";


/**
 * The state of this machine read once (money left, providers, history), then any number of
 * decisions against it: `orch route` asks one, `orch plan` one per step.
 */
export async function createRouter(
  policy: LoadedPolicy,
  dependencies: { store: OrchStore; providers: ProviderSet; now?: Date },
): Promise<(request: RouteRequest) => Promise<RouteOutcome>> {
  const now = dependencies.now ?? new Date();
  const settings = ledgerSettingsOf(policy.policy.budget);
  // Cool-downs as a run starting now would see them (failures recorded by earlier processes).
  const health = await createProviderHealth(dependencies.store.history, now.getTime());
  const providers = withCooldowns(await providerStatesOf(dependencies.providers), health, now.getTime());
  // What a run would start from: the settled calls of the history window, conditioned as a run learns them.
  const estimates = await (await createRunLearning(dependencies.store.history, noRun, now)).current();
  const pricesFor = createPriceLookup(policy.policy);
  // One ledger per pipeline name: opening one fixes the store's calendar zone in a transaction,
  // which `orch plan` would otherwise do once per step.
  const ledgers = new Map<string, ReturnType<typeof createLedger>>();
  const ledgerFor = (pipelineName: string) => {
    let ledger = ledgers.get(pipelineName);
    if (!ledger) {
      ledger = createLedger({
        store: dependencies.store.ledger,
        runId: noRun,
        pipelineName,
        limits: settings.limits,
        ...(settings.timeZone === undefined ? {} : { timeZone: settings.timeZone }),
        now: () => now,
      });
      ledgers.set(pipelineName, ledger);
    }
    return ledger;
  };
  return async (request) => {
    const ledger = await ledgerFor(request.pipeline ?? noRun);
    const budgetLeftUsd = await ledger.left({ tags: request.tags });
    const decision = decide(request, policy.policy, { now: now.getTime(), budgetLeftUsd, providers, estimates, pricesFor });
    return { request, decision, budgetLeftUsd, providers };
  };
}

export async function routeRequest(
  policy: LoadedPolicy,
  request: RouteRequest,
  dependencies: { store: OrchStore; providers: ProviderSet; now?: Date },
): Promise<RouteOutcome> {
  return (await createRouter(policy, dependencies))(request);
}
