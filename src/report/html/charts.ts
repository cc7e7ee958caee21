/**
 * Two inline SVG charts drawn by hand (no script, no network): spend per day as columns, with the
 * daily limit as a dashed line when there is one, and spend per model as horizontal bars.
 */
import { formatLimit, formatUsd } from "../../policy/format.js";
import type { DailySpend } from "../report-model.js";
import { escapeXml } from "./escape.js";

const font = `font-family="system-ui, sans-serif" font-size="11"`;

export function dailySpendChart(daily: readonly DailySpend[], dailyLimitUsd?: number): string {
  const width = 760;
  const height = 240;
  const margin = { top: 16, right: 16, bottom: 44, left: 64 };
  const plotWidth = width - margin.left - margin.right;
  const plotHeight = height - margin.top - margin.bottom;
  const highest = Math.max(...daily.map((day) => day.spendUsd), 0);
  // A limit far above the spend would flatten every column: then it is named, not drawn.
  const limitDrawn = dailyLimitUsd !== undefined && (highest === 0 || dailyLimitUsd <= highest * 4);
  const top = niceCeiling(Math.max(highest, limitDrawn ? dailyLimitUsd : 0));
  const y = (usd: number) => margin.top + plotHeight - (top === 0 ? 0 : (usd / top) * plotHeight);
  const slot = plotWidth / Math.max(1, daily.length);
  const barWidth = Math.max(2, Math.min(40, slot * 0.7));
  const labelEvery = Math.max(1, Math.ceil(daily.length / 12));

  const parts: string[] = [];
  for (const tick of [0, 0.25, 0.5, 0.75, 1]) {
    const value = top * tick;
    parts.push(`<line x1="${margin.left}" x2="${width - margin.right}" y1="${round(y(value))}" y2="${round(y(value))}" stroke="#e3e6ea"/>`);
    parts.push(`<text x="${margin.left - 6}" y="${round(y(value) + 4)}" text-anchor="end" fill="#5b6470" ${font}>${escapeXml(formatUsd(value))}</text>`);
  }
  daily.forEach((day, index) => {
    const x = margin.left + index * slot + (slot - barWidth) / 2;
    const barTop = y(day.spendUsd);
    parts.push(
      `<rect class="bar" data-day="${day.day}" x="${round(x)}" y="${round(barTop)}" width="${round(barWidth)}" height="${round(margin.top + plotHeight - barTop)}" fill="#3b82c4">` +
        `<title>${day.day}: ${escapeXml(formatUsd(day.spendUsd))}, ${day.calls} calls</title></rect>`,
    );
    if (index % labelEvery === 0) {
      parts.push(`<text x="${round(x + barWidth / 2)}" y="${height - margin.bottom + 16}" text-anchor="middle" fill="#5b6470" ${font}>${day.day.slice(5)}</text>`);
    }
  });
  if (dailyLimitUsd !== undefined && !limitDrawn) {
    parts.push(`<text x="${width - margin.right}" y="${margin.top + 10}" text-anchor="end" fill="#c0392b" ${font}>daily limit ${escapeXml(formatLimit(dailyLimitUsd))} (above the scale)</text>`);
  } else if (dailyLimitUsd !== undefined) {
    parts.push(
      `<line class="limit" x1="${margin.left}" x2="${width - margin.right}" y1="${round(y(dailyLimitUsd))}" y2="${round(y(dailyLimitUsd))}" stroke="#c0392b" stroke-dasharray="6 4"/>`,
      `<text x="${width - margin.right}" y="${round(y(dailyLimitUsd) - 4)}" text-anchor="end" fill="#c0392b" ${font}>daily limit ${escapeXml(formatLimit(dailyLimitUsd))}</text>`,
    );
  }
  parts.push(`<line x1="${margin.left}" x2="${width - margin.right}" y1="${margin.top + plotHeight}" y2="${margin.top + plotHeight}" stroke="#5b6470"/>`);
  return svg("chart-daily", width, height, "Spend per day", parts);
}

export function spendByModelChart(models: readonly { model: string; spendUsd: number }[]): string {
  const rowHeight = 26;
  const width = 760;
  const labelWidth = 240;
  const valueWidth = 90;
  const height = Math.max(1, models.length) * rowHeight + 16;
  const top = Math.max(...models.map((entry) => entry.spendUsd), 0);
  const barSpace = width - labelWidth - valueWidth - 16;
  const parts = models.map((entry, index) => {
    const y = 8 + index * rowHeight;
    const barWidth = top === 0 ? 0 : (entry.spendUsd / top) * barSpace;
    return (
      `<text x="${labelWidth - 8}" y="${y + 15}" text-anchor="end" fill="#1f2933" ${font}>${escapeXml(entry.model)}</text>` +
      `<rect class="bar" data-model="${escapeXml(entry.model)}" x="${labelWidth}" y="${y + 3}" width="${round(Math.max(barWidth, 1))}" height="${rowHeight - 8}" fill="${palette[index % palette.length]}">` +
      `<title>${escapeXml(entry.model)}: ${escapeXml(formatUsd(entry.spendUsd))}</title></rect>` +
      `<text x="${round(labelWidth + Math.max(barWidth, 1) + 6)}" y="${y + 15}" fill="#1f2933" ${font}>${escapeXml(formatUsd(entry.spendUsd))}</text>`
    );
  });
  if (models.length === 0) parts.push(`<text x="8" y="20" fill="#5b6470" ${font}>no calls in this window</text>`);
  return svg("chart-models", width, height, "Spend by model", parts);
}

const palette = ["#3b82c4", "#2e9e6f", "#d08c2f", "#8e5cc2", "#c2553b", "#4aa3a3", "#6b7b8c"];

function svg(id: string, width: number, height: number, title: string, parts: readonly string[]): string {
  return (
    `<svg id="${id}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeXml(title)}">` +
    `<title>${escapeXml(title)}</title>${parts.join("")}</svg>`
  );
}

/** 1, 2, 2.5 or 5 times a power of ten, at or above the value: readable axis ticks. */
export function niceCeiling(value: number): number {
  if (value <= 0) return 0;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * power >= value - 1e-12) return step * power;
  return 10 * power;
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
