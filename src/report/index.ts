/** Cost reports and the pipeline graph: pure computations over the store's rows, and their renderings. */
export { buildReport, defaultTargets } from "./build-report.js";
export type { ReportData, ReportOptions } from "./build-report.js";
export { readReportData } from "./report-data.js";
export { reportWindow, defaultSince } from "./report-window.js";
export type { ReportWindow, WindowFlags } from "./report-window.js";
export { reportCsv } from "./report-csv.js";
export { overviewLines, reportTables } from "./report-tables.js";
export type { ReportTable } from "./report-tables.js";
export { reportHtml } from "./html/report-page.js";
export type { ReportGraph } from "./html/report-page.js";
export { groupByValues } from "./report-model.js";
export type * from "./report-model.js";
export { checkFilter, filterLabel, filterReportData, isFiltered, windowSpend } from "./report-filter.js";
export type { ReportFilter, WindowSpend } from "./report-filter.js";
export { windowDays } from "./report-window.js";
