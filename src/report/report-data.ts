/** Reads what a report needs from the store: the window's calls, ledger use of the months it touches, budget stops. */
import { calendarKeys } from "../budget/calendar.js";
import type { ReportStore } from "../contracts/report-store.js";
import type { ReportData } from "./build-report.js";
import type { ReportWindow } from "./report-window.js";

export async function readReportData(queries: ReportStore, window: ReportWindow, timeZone: string | undefined): Promise<ReportData> {
  const fromMonth = window.days ? window.days.from.slice(0, 7) : calendarKeys(new Date(window.fromIso), timeZone).month;
  const toMonth = window.days ? window.days.to.slice(0, 7) : calendarKeys(new Date(window.toIso), timeZone).month;
  const [calls, averageCosts, cachedAnswerCosts, ledger, ledgerByTag, budgetStops] = await Promise.all([
    queries.callsBetween(window.fromIso, window.toIso),
    queries.averageSuccessfulCosts(),
    queries.cachedAnswerCosts(window.fromIso, window.toIso),
    queries.ledgerUse(fromMonth, toMonth),
    queries.ledgerUseByTag(fromMonth, toMonth),
    queries.budgetStopsBetween(window.fromIso, window.toIso),
  ]);
  return { calls, averageCosts, cachedAnswerCosts, ledger, ledgerByTag, budgetStops };
}
