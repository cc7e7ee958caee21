/** A first-come-first-served semaphore for `max_concurrency`; waiting can be cancelled. */

export type Release = () => void;

export class ConcurrencyLimiter {
  #inUse = 0;
  readonly #waiting: Array<{ grant: () => void }> = [];

  constructor(readonly limit: number) {}

  /** True when a call would have to wait for a slot now. */
  get isFull(): boolean {
    return this.#inUse >= this.limit;
  }

  acquire(signal: AbortSignal): Promise<Release> {
    if (signal.aborted) return Promise.reject(signal.reason);
    if (this.#inUse < this.limit) {
      this.#inUse += 1;
      return Promise.resolve(this.#releaser());
    }
    return new Promise((resolve, reject) => {
      const waiter = {
        grant: () => {
          signal.removeEventListener("abort", onAbort);
          this.#inUse += 1;
          resolve(this.#releaser());
        },
      };
      const onAbort = (): void => {
        const index = this.#waiting.indexOf(waiter);
        if (index >= 0) this.#waiting.splice(index, 1);
        reject(signal.reason);
      };
      signal.addEventListener("abort", onAbort, { once: true });
      this.#waiting.push(waiter);
    });
  }

  #releaser(): Release {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#inUse -= 1;
      this.#waiting.shift()?.grant();
    };
  }
}
