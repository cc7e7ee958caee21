/**
 * Requests or tokens per minute over a sliding 60-second window, on an injectable clock. Used for
 * `rpm` (amount 1 per call) and `tpm` (an estimate per call, settled to the real count after).
 */
import type { Sleep } from "../context.js";

const windowMs = 60_000;

export interface WindowEntry {
  at: number;
  amount: number;
}

export interface WindowClock {
  now: () => number;
  sleep: Sleep;
}

export class SlidingWindowLimiter {
  readonly #entries: WindowEntry[] = [];

  constructor(
    readonly limitPerMinute: number,
    private readonly clock: WindowClock,
  ) {}

  /**
   * Waits until `amount` fits in the window, then takes it. `onWait` hears each wait before it
   * starts. An amount larger than the whole limit goes through once the window is empty, rather
   * than never.
   */
  async acquire(amount: number, signal: AbortSignal, onWait: (waitMs: number) => void): Promise<WindowEntry> {
    for (;;) {
      const now = this.clock.now();
      this.#forgetBefore(now - windowMs);
      const waitMs = this.#waitFor(amount, now);
      if (waitMs === 0) {
        const entry = { at: now, amount };
        this.#entries.push(entry);
        return entry;
      }
      onWait(waitMs);
      await this.clock.sleep(waitMs, signal);
    }
  }

  #forgetBefore(cutoff: number): void {
    while (this.#entries.length > 0 && (this.#entries[0]?.at ?? 0) <= cutoff) this.#entries.shift();
  }

  /** 0 when `amount` fits now; otherwise how long until enough old entries leave the window. */
  #waitFor(amount: number, now: number): number {
    let used = this.#entries.reduce((sum, entry) => sum + entry.amount, 0);
    if (this.#entries.length === 0 || used + amount <= this.limitPerMinute) return 0;
    for (const entry of this.#entries) {
      used -= entry.amount;
      if (used + amount <= this.limitPerMinute || used === 0) return Math.max(1, entry.at + windowMs - now);
    }
    return windowMs;
  }
}
