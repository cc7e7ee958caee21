/**
 * Whether and where `orch run` exports traces, from the environment (the real one over the
 * project's env files) and `orch.config.yaml`'s `telemetry`. Strongest first:
 *
 *   off        OTEL_SDK_DISABLED=true, or `telemetry.enabled: false`
 *   where      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT (as is)  >  OTEL_EXPORTER_OTLP_ENDPOINT + /v1/traces
 *              >  `telemetry.endpoint` + /v1/traces
 *   headers    OTEL_EXPORTER_OTLP_TRACES_HEADERS over OTEL_EXPORTER_OTLP_HEADERS (`key=value,…`)
 *   service    OTEL_SERVICE_NAME  >  `telemetry.service_name`  >  orch
 *
 * Read here rather than by the exporter from `process.env`, so a key in `.env` works like the
 * other variables orch reads, and a program using orch as a library passes its own environment.
 */
import type { ProjectSettings } from "../generated/project-settings.js";

export interface TraceSettings {
  /** Where spans are posted (OTLP/HTTP, JSON). */
  tracesUrl: string;
  /** Sent with every export (a collector's API key); never printed. */
  headers: Record<string, string>;
  serviceName: string;
}

/** Traces are off, on, or asked for at an address that is no http(s) URL (said once, the run goes on). */
export type TraceSetup = { kind: "off" } | { kind: "on"; settings: TraceSettings } | { kind: "invalid"; warning: string };

export function traceSetupOf(env: NodeJS.ProcessEnv, settings: ProjectSettings["telemetry"] | undefined): TraceSetup {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === "true" || settings?.enabled === false) return { kind: "off" };
  const sources: [string, string | undefined][] = [
    ["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", nonEmpty(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT)],
    ["OTEL_EXPORTER_OTLP_ENDPOINT", withTracesPath(nonEmpty(env.OTEL_EXPORTER_OTLP_ENDPOINT))],
    ["orch.config.yaml telemetry.endpoint", withTracesPath(settings?.endpoint)],
  ];
  const chosen = sources.find(([, url]) => url !== undefined);
  if (chosen === undefined) return { kind: "off" };
  const [source, tracesUrl] = chosen as [string, string];
  if (!isHttpUrl(tracesUrl)) {
    return { kind: "invalid", warning: `warning: traces: ${source} is not an http(s) URL (like http://localhost:4318); no traces were exported` };
  }
  return {
    kind: "on",
    settings: {
      tracesUrl,
      headers: { ...parseHeaders(env.OTEL_EXPORTER_OTLP_HEADERS), ...parseHeaders(env.OTEL_EXPORTER_OTLP_TRACES_HEADERS) },
      serviceName: nonEmpty(env.OTEL_SERVICE_NAME) ?? settings?.service_name ?? "orch",
    },
  };
}

function isHttpUrl(text: string): boolean {
  try {
    const { protocol } = new URL(text);
    return protocol === "http:" || protocol === "https:";
  } catch {
    return false;
  }
}

/** The URL as a warning may show it: no user, password or query (where credentials hide). */
export function shownUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  } catch {
    return "(the configured endpoint)";
  }
}

function withTracesPath(base: string | undefined): string | undefined {
  if (base === undefined) return undefined;
  return `${base.replace(/\/+$/, "")}/v1/traces`;
}

/** The OTLP exporter's header format: `key1=value1,key2=value2`, values percent-encoded. */
function parseHeaders(text: string | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const pair of (text ?? "").split(",")) {
    const separator = pair.indexOf("=");
    if (separator <= 0) continue;
    const key = pair.slice(0, separator).trim();
    const value = pair.slice(separator + 1).trim();
    if (key === "") continue;
    try {
      headers[key] = decodeURIComponent(value);
    } catch {
      headers[key] = value;
    }
  }
  return headers;
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}
