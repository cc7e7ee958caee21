/**
 * The signal one attempt runs under: the caller's (Ctrl-C) combined with a per-attempt timeout.
 * The timeout aborts with a `TimeoutError` reason, which is how providers tell it from a cancel.
 * It runs on the real clock: it bounds real network I/O, unlike the limiters' waits.
 */

export interface AttemptSignal {
  signal: AbortSignal;
  dispose: () => void;
}

export function attemptSignal(callerSignal: AbortSignal, timeoutMs: number): AttemptSignal {
  const timeout = new AbortController();
  const timer = setTimeout(() => {
    timeout.abort(new DOMException(`no answer within ${timeoutMs} ms`, "TimeoutError"));
  }, timeoutMs);
  return {
    signal: AbortSignal.any([callerSignal, timeout.signal]),
    dispose: () => clearTimeout(timer),
  };
}
