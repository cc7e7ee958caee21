/**
 * Reachability checks for `orch providers`. Kept apart from `available()`, which must be cheap and
 * offline (the router asks it while planning); a probe makes one free request (list models).
 */
import type { Provider } from "./provider.js";

export interface ProbeResult {
  reachable: boolean;
  /** Why not, in words a user can act on. */
  reason?: string;
  /** Models the server listed, where it lists them (Ollama's pulled models). */
  models?: string[];
}

export interface ProbingProvider extends Provider {
  probe(signal: AbortSignal): Promise<ProbeResult>;
}

export function canProbe(provider: Provider): provider is ProbingProvider {
  return typeof (provider as Partial<ProbingProvider>).probe === "function";
}
