/** Reads what a report needs from the store: the window's calls, ledger use of the months it touches, budget stops. */
import { calendarKeys } from "../budget/calendar.js";
import type { ReportQueries } from "../store/report-queries.js";
import type { ReportData } from "./build-report.js";
import type { ReportWindow } from "./report-window.js";

export function readReportData(queries: ReportQueries, window: ReportWindow, timeZone: string | undefined): ReportData {
  const fromMonth = window.days ? window.days.from.slice(0, 7) : calendarKeys(new Date(window.fromIso), timeZone).month;
  const toMonth = window.days ? window.days.to.slice(0, 7) : calendarKeys(new Date(window.toIso), timeZone).month;
  return {
    calls: queries.callsBetween(window.fromIso, window.toIso),
    averageCosts: queries.averageSuccessfulCosts(),
    cachedAnswerCosts: queries.cachedAnswerCosts(window.fromIso, window.toIso),
    ledger: queries.ledgerUse(fromMonth, toMonth),
    ledgerByTag: queries.ledgerUseByTag(fromMonth, toMonth),
    budgetStops: queries.budgetStopsBetween(window.fromIso, window.toIso),
  };
}
