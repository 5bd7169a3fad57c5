// Restore rate limits (restore.rate_limit_records_per_sec, rate_limit_bytes_per_sec). A restore
// run has one RateLimiter, shared by all its partitions, so a limit caps what the target cluster
// receives in total, whatever max_concurrent_partitions is.
//
// Each limit is a token bucket refilled at its rate. Contracts:
// - The bucket starts empty and holds at most one burst: BURST_SECONDS (1/20 s) of the rate. So
//   any 1-second window carries at most the rate plus one burst (5%) plus one batch, also right
//   after a pause or a stall; in a restore that keeps the limiter busy, where the bucket stays
//   near its admission level, the rate plus one batch.
// - A caller is admitted once every bucket holds its cost, or half a burst when the cost is
//   larger; the rest is debt (the bucket goes negative) that later callers wait off. So a batch
//   larger than a burst never deadlocks and the long-run rate holds. The headroom between the
//   admission level and a full bucket keeps a timer that fires up to half a burst (25 ms) late
//   from losing rate.
// - Callers are admitted in arrival order (FIFO), so a big batch is not starved by small ones.
import { setTimeout as delay } from 'node:timers/promises';

/** Time in milliseconds and a sleep that ends early on abort; injectable for tests. */
export interface Clock {
  now(): number;
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => performance.now(),
  sleep: (ms, signal) => delay(ms, undefined, { signal }).catch(() => undefined),
};

/** A null limit is no limit. Limits must be positive. */
export interface RateLimits {
  recordsPerSec: number | null;
  bytesPerSec: number | null;
}

/** How much of its rate a bucket may save up: 1/20 s. */
export const BURST_SECONDS = 0.05;

interface Cost {
  records: number;
  bytes: number;
}

class TokenBucket {
  readonly burst: number;
  private tokens = 0;

  constructor(
    private readonly ratePerSec: number,
    readonly costOf: (c: Cost) => number,
    private last: number,
  ) {
    this.burst = ratePerSec * BURST_SECONDS;
  }

  refill(now: number): void {
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) * this.ratePerSec) / 1000);
    this.last = now;
  }

  /** Milliseconds until the bucket admits `cost`: holds it, or half a burst when it is larger. */
  waitMs(cost: number): number {
    const missing = Math.min(cost, this.burst / 2) - this.tokens;
    // Float noise must not turn "exactly enough" into a 1 ms timer.
    return missing <= this.burst * 1e-9 ? 0 : (missing * 1000) / this.ratePerSec;
  }

  take(cost: number): void {
    this.tokens -= cost;
  }
}

interface Waiter extends Cost {
  admit: () => void;
}

export class RateLimiter {
  private readonly buckets: TokenBucket[] = [];
  private readonly queue: Waiter[] = [];
  private pumping = false;
  /** Aborts the pump's current sleep (when every waiter left). */
  private wake: AbortController | undefined;

  constructor(
    limits: RateLimits,
    private readonly clock: Clock = systemClock,
  ) {
    const now = clock.now();
    for (const [rate, costOf] of [
      [limits.recordsPerSec, (c: Cost) => c.records],
      [limits.bytesPerSec, (c: Cost) => c.bytes],
    ] as const) {
      if (rate === null) continue;
      if (!(rate > 0) || !Number.isFinite(rate)) throw new RangeError(`a rate limit must be a positive number, got ${rate}`);
      this.buckets.push(new TokenBucket(rate, costOf, now));
    }
  }

  /**
   * Resolves when `records` records of `bytes` bytes may be sent, and counts them as sent.
   * An abort ends the wait at once without counting (the caller is stopping).
   */
  acquire(records: number, bytes: number, signal?: AbortSignal): Promise<void> {
    if (this.buckets.length === 0 || signal?.aborted) return Promise.resolve();
    const cost = { records, bytes };
    this.refill();
    if (this.queue.length === 0 && this.waitMs(cost) === 0) {
      this.take(cost);
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      const onAbort = () => {
        const i = this.queue.indexOf(waiter);
        if (i >= 0) this.queue.splice(i, 1);
        if (this.queue.length === 0) this.wake?.abort();
        resolve();
      };
      const waiter: Waiter = {
        ...cost,
        admit: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.queue.push(waiter);
      if (!this.pumping) void this.pump();
    });
  }

  /** Admits waiters in order, sleeping until the head one fits. */
  private async pump(): Promise<void> {
    this.pumping = true;
    try {
      while (this.queue.length > 0) {
        this.refill();
        const head = this.queue[0]!;
        const wait = this.waitMs(head);
        if (wait === 0) {
          this.queue.shift();
          this.take(head);
          head.admit();
          continue;
        }
        this.wake = new AbortController();
        await this.clock.sleep(wait, this.wake.signal);
      }
    } finally {
      this.pumping = false;
      this.wake = undefined;
    }
  }

  private refill(): void {
    const now = this.clock.now();
    for (const b of this.buckets) b.refill(now);
  }

  private waitMs(cost: Cost): number {
    return Math.max(0, ...this.buckets.map((b) => b.waitMs(b.costOf(cost))));
  }

  private take(cost: Cost): void {
    for (const b of this.buckets) b.take(b.costOf(cost));
  }
}
