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
   * The project's name in a shared ledger: the default of a policy's `budget.project`, needed when the policy names a `team`. Choose it on purpose: two clones with one name are one project, whatever their folders are called.
   */
  name?: string;
  /**
   * The routing policy of commands given none: `route`, `providers`, `budget` and `report`, and pipelines without their own `policy:`. Overridden by the `ORCH_POLICY` environment variable and by `--policy`.
   */
  policy?: string;
  /**
   * The store (ledger, history, answer cache): a SQLite file (relative to this file), or a PostgreSQL URL `postgres://user@host:5432/orch` shared by a team (leave the password out: PGPASSWORD or ~/.pgpass). Default: `$ORCH_HOME/orch.db`, else `~/.orch/orch.db`, one per user so budgets count across projects; set it to give this project a ledger of its own. Overridden by `ORCH_DB`, which `--db` overrides.
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
  /**
   * OpenTelemetry traces: when an endpoint is known, `orch run` exports one trace per run (run → step → attempt spans, with the GenAI semantic conventions and orch's cost, cache, route and budget attributes) over OTLP/HTTP as JSON. The environment wins over `endpoint`: `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` (used as is), then `OTEL_EXPORTER_OTLP_ENDPOINT` (`/v1/traces` appended); `OTEL_SDK_DISABLED=true` turns export off. Spans never hold prompts or answers. A collector that is down never slows or fails a run.
   */
  telemetry?: {
    /**
     * The collector's OTLP/HTTP base URL; spans are posted to `<endpoint>/v1/traces`. Used when neither `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` nor `OTEL_EXPORTER_OTLP_ENDPOINT` is set.
     */
    endpoint?: string;
    /**
     * The `service.name` of the traces' resource. `OTEL_SERVICE_NAME` wins over it; default `orch`.
     */
    service_name?: string;
    /**
     * `false`: no traces from this project, even when the environment names an endpoint. Default: export whenever an endpoint is known.
     */
    enabled?: boolean;
  };
}
