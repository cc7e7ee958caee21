/**
 * The OpenTelemetry SDK set up for one process's runs: a tracer provider of its own (the global
 * one is left alone, so a program using orch as a library keeps its own), a batch processor with
 * a bounded queue, and the official OTLP/HTTP exporter (JSON). Exporting never slows or fails a
 * run: spans are queued and sent in the background, a full queue drops spans, a failed export is
 * counted (never thrown), and the flush at the end waits a bounded time.
 */
import type { Tracer } from "@opentelemetry/api";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BasicTracerProvider, BatchSpanProcessor, type ReadableSpan, type SpanExporter } from "@opentelemetry/sdk-trace-base";
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from "@opentelemetry/semantic-conventions";
import { orchVersion } from "./orch-version.js";
import type { TraceSettings } from "./trace-settings.js";

/** One export request gives up after this long (the exporter's own retries included). */
export const exportTimeoutMs = 2_000;
/** The flush when the run is over waits at most this long for the collector. */
export const finalFlushBoundMs = 2_000;

export interface TraceExport {
  tracer: Tracer;
  /**
   * Sends what is queued and closes, waiting at most `boundMs`. Resolves (never rejects) with the
   * exports that failed and whether the bound ran out first.
   */
  finish(boundMs?: number): Promise<ExportProblems>;
}

export interface ExportProblems {
  failedExports: number;
  timedOut: boolean;
}

export function openTraceExport(settings: TraceSettings): TraceExport {
  const exporter = new CountingExporter(
    new OTLPTraceExporter({ url: settings.tracesUrl, headers: settings.headers, timeoutMillis: exportTimeoutMs }),
  );
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: settings.serviceName, [ATTR_SERVICE_VERSION]: orchVersion }),
    spanProcessors: [
      new BatchSpanProcessor(exporter, {
        // Bounded: a collector that never answers costs at most this many spans of memory.
        maxQueueSize: 4_096,
        maxExportBatchSize: 512,
        scheduledDelayMillis: 1_000,
        exportTimeoutMillis: exportTimeoutMs + 500,
      }),
    ],
  });
  return {
    tracer: provider.getTracer("orch", orchVersion),
    async finish(boundMs = finalFlushBoundMs) {
      let timer: NodeJS.Timeout | undefined;
      const bound = new Promise<"timed-out">((resolve) => {
        timer = setTimeout(() => resolve("timed-out"), boundMs);
        timer.unref();
      });
      const flushed = provider
        .forceFlush()
        .then(() => provider.shutdown())
        .then(
          () => "done" as const,
          () => "done" as const,
        );
      const outcome = await Promise.race([flushed, bound]);
      clearTimeout(timer);
      return { failedExports: exporter.failures, timedOut: outcome === "timed-out" };
    },
  };
}

type ExportCallback = Parameters<SpanExporter["export"]>[1];
type ExportResult = Parameters<ExportCallback>[0];
/** `ExportResultCode` of @opentelemetry/core (SUCCESS = 0, FAILED = 1), which orch does not depend on directly. */
const exportSucceeded = 0;
const exportFailed = 1;

/** The exporter, counting failed exports instead of letting them reach a log or a rejection. */
class CountingExporter implements SpanExporter {
  failures = 0;
  constructor(private readonly inner: SpanExporter) {}

  export(spans: ReadableSpan[], resultCallback: ExportCallback): void {
    try {
      this.inner.export(spans, (result: ExportResult) => {
        if (result.code !== exportSucceeded) this.failures++;
        resultCallback(result);
      });
    } catch (error) {
      this.failures++;
      resultCallback({ code: exportFailed, error: error instanceof Error ? error : new Error(String(error)) });
    }
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown().catch(() => undefined);
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.().catch(() => undefined) ?? Promise.resolve();
  }
}
