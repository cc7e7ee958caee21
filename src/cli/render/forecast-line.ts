/** The month-end projection as one line, for `orch budget` and `orch report`; red when it crosses the monthly limit. */
import type { MonthForecast } from "../../budget/forecast.js";
import { formatBalance, formatLimit } from "../../policy/format.js";
import type { Style } from "../output.js";

export function forecastLine(forecast: MonthForecast, style: Style): string {
  const pace = `${formatBalance(forecast.spentUsd)} spent in ${forecast.month} over ${forecast.elapsedDays.toFixed(1)} of ${forecast.daysInMonth} days`;
  const projected = `${formatBalance(forecast.projectedUsd)} projected by month end`;
  if (forecast.limitUsd === undefined) return `forecast: ${pace} → ${projected} (no monthly limit)`;
  if (!forecast.overLimit) return `forecast: ${pace} → ${projected}, within the ${formatLimit(forecast.limitUsd)} monthly limit`;
  return style.red(`forecast alert: ${pace} → ${projected}, above the ${formatLimit(forecast.limitUsd)} monthly limit: at this pace it stops calls before the month ends`);
}
