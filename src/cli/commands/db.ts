/** `orch db copy --from sqlite:FILE --to postgres://…`: moves a machine's history into a team's PostgreSQL store. */
import { UsageError, exitCodes } from "../../errors/orch-error.js";
import { copySqliteToPostgres, describePostgresUrl } from "../../store/index.js";
import { defineFlags, parseCommandArguments } from "../arguments.js";
import type { Command } from "../main.js";

const usage = "orch db copy --from sqlite:FILE --to postgres://USER@HOST:PORT/DATABASE";

const flags = defineFlags({
  from: { type: "string", placeholder: "sqlite:FILE", description: "the SQLite store to copy (its file, after sqlite:)" },
  to: { type: "string", placeholder: "postgres://…", description: "the PostgreSQL store to fill; it must be empty (the password, if any, is never printed)" },
});

export const dbCommand: Command = {
  usage,
  flags,
  async run(args, output) {
    const { values, positionals } = parseCommandArguments(args, flags, usage);
    const [action, ...extra] = positionals;
    if (action !== "copy") {
      throw new UsageError({ message: action === undefined ? "missing action: copy" : `unknown action "${action}": copy`, hint: `usage: ${usage}` });
    }
    if (extra.length > 0) throw new UsageError({ message: `unexpected argument "${extra[0]}"`, hint: `usage: ${usage}` });
    const from = values.from;
    const to = values.to;
    if (from === undefined || to === undefined) throw new UsageError({ message: `missing ${from === undefined ? "--from" : "--to"}`, hint: `usage: ${usage}` });
    if (/^postgres(ql)?:\/\//.test(from) && to.startsWith("sqlite:")) {
      throw new UsageError({ message: "copying from PostgreSQL to SQLite is not supported", hint: "orch db copy moves a SQLite store into an empty PostgreSQL one" });
    }
    if (!from.startsWith("sqlite:") || from.length === "sqlite:".length) {
      throw new UsageError({ message: `--from expects sqlite:FILE, got "${from}"`, hint: `usage: ${usage}` });
    }
    if (!/^postgres(ql)?:\/\//.test(to)) {
      throw new UsageError({ message: `--to expects a postgres:// URL, got "${describePostgresUrl(to)}"`, hint: `usage: ${usage}` });
    }
    const file = from.slice("sqlite:".length);
    output.out(`copying ${file} → ${describePostgresUrl(to)} (one transaction: all of it or nothing)`);
    const outcome = await copySqliteToPostgres(file, to, ({ table, rows }) => output.out(`  ${table.padEnd(24)} ${rows} row${rows === 1 ? "" : "s"}`));
    output.out(`copied ${outcome.rows} row${outcome.rows === 1 ? "" : "s"} from ${outcome.tables.length} tables`);
    return exitCodes.success;
  },
};
