import { formatUsd } from "../../money/format-usd.js";
import { exitCodes, UsageError } from "../../errors/orch-error.js";
import { parseDuration } from "../../policy/duration.js";
import { openStore } from "../../store/index.js";
import { defineFlags, parseCommandArguments } from "../arguments.js";
import { databaseFlag, jsonFlag } from "../common-flags.js";
import type { Command } from "../main.js";
import { resolveProject } from "../../project/resolve-project.js";

const usage = "orch cache stats [--db FILE] [--json] | orch cache clear [--older-than 7d] [--db FILE]";

const flags = defineFlags({
  db: databaseFlag,
  json: jsonFlag,
  "older-than": { type: "string", placeholder: "DURATION", description: "with clear: remove only entries older than this (12h, 7d)", defaultText: "all entries" },
});

export const cacheCommand: Command = {
  usage,
  flags,
  async run(args, output) {
    const { values, positionals } = parseCommandArguments(
      args,
      flags,
      usage,
    );
    const [action, ...extra] = positionals;
    if (action !== "stats" && action !== "clear") {
      throw new UsageError({ message: action === undefined ? "missing action: stats or clear" : `unknown action "${action}": stats or clear`, hint: `usage: ${usage}` });
    }
    if (extra.length > 0) throw new UsageError({ message: `unexpected argument "${extra[0]}"`, hint: `usage: ${usage}` });
    if (action === "stats" && values["older-than"] !== undefined) throw new UsageError({ message: "--older-than goes with clear", hint: `usage: ${usage}` });
    const olderThanMs = values["older-than"] === undefined ? undefined : parseDuration(values["older-than"]);
    if (values["older-than"] !== undefined && !olderThanMs) {
      throw new UsageError({ message: `--older-than expects a duration such as 12h, 7d or 1d12h, got "${values["older-than"]}"` });
    }

    const store = await openStore((await resolveProject(output.env)).databaseFile(values.db));
    try {
      if (action === "clear") {
        const before = olderThanMs === undefined ? undefined : new Date(Date.now() - olderThanMs).toISOString();
        const removed = await store.cache.clear(before);
        output.out(`removed ${removed} cached answer${removed === 1 ? "" : "s"}${before ? ` older than ${values["older-than"]}` : ""} from ${store.location}`);
        return exitCodes.success;
      }
      const stats = await store.cache.stats();
      if (values.json) {
        output.out(JSON.stringify({ database: store.location, ...stats }, null, 2));
        return exitCodes.success;
      }
      output.out(`${output.style.bold("cache")} · ${store.location}`);
      output.out(`  entries   ${stats.entries} (${stats.reusable} reusable by later runs, ${stats.resumeOnly} kept only to resume their run or rejected)`);
      output.out(`  size      ${formatBytes(stats.answerBytes)} of answers`);
      if (stats.oldest && stats.newest) output.out(`  dates     ${stats.oldest.slice(0, 10)} to ${stats.newest.slice(0, 10)}`);
      output.out(`  hits      ${stats.hits}, which saved ${formatUsd(stats.savedUsd)}`);
      return exitCodes.success;
    } finally {
      await store.close();
    }
  },
};

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}
