/**
 * A run renderer that also sends the run's events to OpenTelemetry when traces are configured
 * (see telemetry/trace-settings.ts); otherwise the renderer itself, untouched. The trace is flushed
 * after the last frame is drawn, within a bound, and a collector that did not take it costs one
 * warning line on stderr — never the run's exit code.
 */
import { startRunTelemetry, type RunTelemetryOptions } from "../../telemetry/run-telemetry.js";
import type { CliOutput } from "../output.js";
import type { RunRenderer } from "./choose-renderer.js";

export async function withRunTraces(renderer: RunRenderer, output: CliOutput, options: RunTelemetryOptions): Promise<RunRenderer> {
  const telemetry = await startRunTelemetry(options);
  if (!telemetry) return renderer;
  return {
    onEvent(event) {
      renderer.onEvent(event);
      telemetry.onEvent(event);
    },
    onInterrupt: () => renderer.onInterrupt(),
    async finish() {
      await renderer.finish();
      const warning = await telemetry.finish();
      if (warning) output.err(warning);
    },
  };
}
