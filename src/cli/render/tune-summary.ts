/** `orch tune` in a terminal: the figures of the chain found, against what was recorded, and the policy snippet. */
import type { ChainFigures } from "../../policy/tune.js";
import { formatPercent, formatUsd } from "../../policy/format.js";
import type { Style } from "../output.js";

export interface TuneSummary {
  since: string;
  targetPassRate: number;
  models: readonly string[];
  chainsTried: number;
  reachedTarget: boolean;
  chain: readonly string[];
  training: { tuned: ChainFigures; recorded: Recorded };
  validation: { tuned: ChainFigures; recorded: Recorded };
}

interface Recorded {
  units: number;
  passRate: number;
  costUsd: number;
}

export function renderTune(summary: TuneSummary, style: Style): string[] {
  const outcome = summary.reachedTarget
    ? `the cheapest chain reaching ${formatPercent(summary.targetPassRate)} (less one standard error) on the training requests`
    : style.yellow(`no chain reaches ${formatPercent(summary.targetPassRate)} on the training requests; the one with the best pass rate`);
  const line = (label: string, figures: Recorded & { exactUnits?: number }) =>
    `  ${label.padEnd(22)} pass rate ${formatPercent(figures.passRate).padStart(4)}  cost ${formatUsd(figures.costUsd)}` +
    (figures.exactUnits === undefined ? "" : `  (${figures.units - figures.exactUnits} of ${figures.units} requests estimated past what was recorded)`);
  const { training, validation } = summary;
  return [
    `${style.bold("tune")} · ${training.recorded.units + validation.recorded.units} recorded requests since ${summary.since} · ${summary.models.length} models · ${summary.chainsTried} chains tried`,
    `${outcome}: ${summary.chain.join(" → ")}`,
    "",
    `training (${training.recorded.units} requests)`,
    line("tuned chain", training.tuned),
    line("as recorded", training.recorded),
    `validation (${validation.recorded.units} held out)`,
    line("tuned chain", validation.tuned),
    line("as recorded", validation.recorded),
    "",
    "policy snippet (review, then add it under rules:):",
    `  - name: tuned`,
    `    # orch tune, ${summary.since} of history: pass rate ${formatPercent(validation.tuned.passRate)} at ${formatUsd(validation.tuned.costUsd / Math.max(1, validation.tuned.units))} a request on held-out requests`,
    `    use: [${summary.chain.join(", ")}]`,
  ];
}
