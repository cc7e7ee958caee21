/* Generated from schemas/project-settings.schema.json by `npm run generate:types` (json-schema-to-typescript). Do not edit by hand. */

/**
 * Project settings: `orch.config.yaml`, found by walking up from the working directory. It marks the project root and gives every command its defaults. Relative paths start at this file's folder. Command-line flags win over these settings, and `ORCH_POLICY` wins over `policy`.
 */
export interface ProjectSettings {
  /**
   * The format of this file; always 1.
   */
  version: 1;
  /**
   * The routing policy of commands given none: `route`, `providers`, `budget` and `report`, and pipelines without their own `policy:`. Overridden by the `ORCH_POLICY` environment variable and by `--policy`.
   */
  policy?: string;
  /**
   * The SQLite database (ledger, history, answer cache). Default: `$ORCH_HOME/orch.db`, else `~/.orch/orch.db`, one per user so budgets count across projects; set it to give this project a ledger of its own. Overridden by `--db`.
   */
  database?: string;
  /**
   * Where `orch run` writes its result folders. Default: `.orch/results` under the working directory. Overridden by `--results`.
   */
  results?: string;
  /**
   * Files of `NAME=value` lines read into the environment of every command: API keys for providers and `${NAME}` in policies. Later files win over earlier ones, and variables already set in the environment win over all. Missing files are skipped. Default: `.env` in the project root, then `.env` in the working directory.
   *
   * Items: A file path, relative to this file's folder.
   */
  env_files?: string[];
}
