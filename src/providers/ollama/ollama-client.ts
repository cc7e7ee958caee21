/**
 * Ollama clients bound to a signal. The `ollama` package takes no AbortSignal for plain
 * (non-streamed) calls, so the signal is passed through a wrapping `fetch`; a client is cheap to
 * make, so each call gets its own.
 */
import { Ollama } from "ollama";

export const ollamaDefaultHost = "http://127.0.0.1:11434";

export function ollamaClient(host: string, signal: AbortSignal, headers?: Record<string, string>): Ollama {
  const boundFetch: typeof fetch = (input, init) =>
    fetch(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, signal]) : signal });
  return new Ollama({ host, fetch: boundFetch, ...(headers === undefined ? {} : { headers }) });
}
