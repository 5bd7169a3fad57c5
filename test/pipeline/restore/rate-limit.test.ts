import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { describe, test } from 'node:test';
import { BURST_SECONDS, RateLimiter, type Clock, type RateLimits } from '../../../src/pipeline/restore/rate-limit.js';

/** Virtual time: sleeps end only when run() advances the clock to them (plus injected lateness). */
class FakeClock implements Clock {
  private t = 0;
  private timers: { at: number; resolve: () => void }[] = [];
  /** How late each timer fires, in ms. */
  lateness: () => number = () => 0;
  sleeps = 0;

  now(): number {
    return this.t;
  }

  sleep(ms: number, signal: AbortSignal): Promise<void> {
    this.sleeps++;
    return new Promise((resolve) => {
      const timer = { at: this.t + ms + this.lateness(), resolve };
      this.timers.push(timer);
      this.timers.sort((a, b) => a.at - b.at);
      signal.addEventListener('abort', () => {
        this.timers = this.timers.filter((x) => x !== timer);
        resolve();
      });
    });
  }

  /** Fire timers in time order up to `end`, letting promise callbacks run after each. */
  async run(end: number): Promise<void> {
    for (;;) {
      await settle();
      const next = this.timers[0];
      if (next === undefined || next.at > end) break;
      this.timers.shift();
      this.t = Math.max(this.t, next.at);
      next.resolve();
    }
    this.t = Math.max(this.t, end);
    await settle();
  }
}

const settle = () => new Promise<void>((r) => setImmediate(r));

interface Grant {
  t: number;
  records: number;
  bytes: number;
}

/** `callers` partitions sending back to back until `end`: each acquires, then sends at once. */
async function saturate(limits: RateLimits, opts: { callers: number; end: number; batch: (i: number) => { records: number; bytes: number }; clock?: FakeClock }) {
  const clock = opts.clock ?? new FakeClock();
  const limiter = new RateLimiter(limits, clock);
  const grants: Grant[] = [];
  let n = 0;
  const caller = async () => {
    while (clock.now() < opts.end) {
      const b = opts.batch(n++);
      await limiter.acquire(b.records, b.bytes);
      if (clock.now() < opts.end) grants.push({ t: clock.now(), ...b });
    }
  };
  for (let c = 0; c < opts.callers; c++) void caller();
  await clock.run(opts.end);
  return grants;
}

/** The most sent in any window [t, t + 1000) that starts at a grant (where maxima start). */
function maxPerSecond(grants: Grant[], pick: (g: Grant) => number): number {
  let max = 0;
  let j = 0;
  let sum = 0;
  for (let i = 0; i < grants.length; i++) {
    while (j < grants.length && grants[j]!.t < grants[i]!.t + 1000) sum += pick(grants[j++]!);
    max = Math.max(max, sum);
    sum -= pick(grants[i]!);
  }
  return max;
}

const total = (grants: Grant[], pick: (g: Grant) => number) => grants.reduce((n, g) => n + pick(g), 0);
const records = (g: Grant) => g.records;
const bytes = (g: Grant) => g.bytes;

/** Deterministic pseudo-random integers in [lo, hi]. */
function prng(seed: number): (lo: number, hi: number) => number {
  let x = seed;
  return (lo, hi) => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return lo + (x % (hi - lo + 1));
  };
}

describe('RateLimiter', () => {
  test('four callers share one records limit: every 1-second window holds rate + one batch, 10 s deliver the rate', async () => {
    const rate = 10_000;
    const grants = await saturate({ recordsPerSec: rate, bytesPerSec: null }, { callers: 4, end: 10_000, batch: () => ({ records: 100, bytes: 1 }) });
    assert.ok(maxPerSecond(grants, records) <= rate + 100, `max per second ${maxPerSecond(grants, records)}`);
    const sent = total(grants, records);
    assert.ok(sent >= rate * 10 * 0.99 && sent <= rate * 10, `sent ${sent} in 10 s`);
  });

  test('a bytes limit holds with varied batch sizes and late timers, and loses no rate to them', async () => {
    const rate = 5_000_000;
    const size = prng(7);
    const clock = new FakeClock();
    clock.lateness = () => size(0, 15);
    const grants = await saturate({ recordsPerSec: null, bytesPerSec: rate }, { callers: 4, end: 20_000, clock, batch: () => ({ records: 1, bytes: size(10_000, 200_000) }) });
    const perSecond = maxPerSecond(grants, bytes);
    // Bound: rate + one batch + what a 15 ms late timer lets through at once.
    assert.ok(perSecond <= rate + 200_000 + rate * 0.015, `max per second ${perSecond} (${(perSecond / rate).toFixed(3)} × rate)`);
    const sent = total(grants, bytes);
    assert.ok(sent >= rate * 20 * 0.99, `sent ${sent} in 20 s (${(sent / rate / 20).toFixed(3)} × rate)`);
  });

  test('batches as large as a burst lose no rate to timers firing up to 25 ms late', async () => {
    const rate = 10_000;
    const burst = rate * BURST_SECONDS;
    const clock = new FakeClock();
    clock.lateness = () => 20;
    const grants = await saturate({ recordsPerSec: rate, bytesPerSec: null }, { callers: 2, end: 10_000, clock, batch: () => ({ records: burst, bytes: 1 }) });
    const sent = total(grants, records);
    // Were a full bucket the admission level, each 50 ms cycle would lose 20 ms: 40% short.
    assert.ok(sent >= rate * 10 * 0.99, `sent ${sent} in 10 s`);
    assert.ok(maxPerSecond(grants, records) <= rate + 2 * burst);
  });

  test('after a stall the catch-up is at most one burst', async () => {
    const rate = 10_000;
    const clock = new FakeClock();
    let timers = 0;
    clock.lateness = () => (++timers % 200 === 0 ? 300 : 0); // now and then a 300 ms stall
    const grants = await saturate({ recordsPerSec: rate, bytesPerSec: null }, { callers: 4, end: 10_000, clock, batch: () => ({ records: 100, bytes: 1 }) });
    const perSecond = maxPerSecond(grants, records);
    assert.ok(perSecond <= rate + rate * BURST_SECONDS + 100, `max per second ${perSecond}`);
    assert.ok(perSecond > rate + 100, `the stalls happened and were caught up (${perSecond})`);
  });

  test('with both limits the tighter one governs, and the other is not exceeded', async () => {
    const grants = await saturate(
      { recordsPerSec: 1_000, bytesPerSec: 1_000_000 },
      { callers: 3, end: 10_000, batch: () => ({ records: 10, bytes: 20_000 }) },
    );
    // 20 kB per 10 records: the bytes limit allows 50 batches (500 records) a second.
    assert.ok(maxPerSecond(grants, bytes) <= 1_000_000 + 20_000);
    assert.ok(total(grants, bytes) >= 10_000_000 * 0.99);
    assert.ok(maxPerSecond(grants, records) <= 510);
  });

  test('after an idle pause a burst of at most 1/20 s of the rate is allowed', async () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter({ recordsPerSec: 1_000, bytesPerSec: null }, clock);
    await clock.run(60_000);
    const t0 = clock.now();
    let admitted = 0;
    for (let i = 0; i < 20; i++) void limiter.acquire(10, 0).then(() => clock.now() === t0 && admitted++);
    await clock.run(t0);
    assert.equal(admitted, 5, 'a full bucket holds 50 records after a minute idle');
  });

  test('a batch larger than the burst passes, and its debt is waited off by later callers', async () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter({ recordsPerSec: 1_000, bytesPerSec: null }, clock);
    const times: number[] = [];
    void limiter.acquire(5_000, 0).then(() => times.push(clock.now()));
    void limiter.acquire(10, 0).then(() => times.push(clock.now()));
    await clock.run(20_000);
    // The big one waits for half a burst (25 records, 25 ms), then goes; the next one waits
    // until the 4,975 records of debt and its own 10 have accrued: 4.985 s later.
    assert.equal(times.length, 2);
    assert.ok(Math.abs(times[0]! - 25) < 1e-6, `big batch at ${times[0]}`);
    assert.ok(Math.abs(times[1]! - 5_010) < 1e-6, `next batch at ${times[1]}`);
  });

  test('big batches keep the long-run rate', async () => {
    const grants = await saturate({ recordsPerSec: 1_000, bytesPerSec: null }, { callers: 2, end: 60_000, batch: () => ({ records: 3_000, bytes: 0 }) });
    const sent = total(grants, records);
    assert.ok(sent >= 57_000 && sent <= 60_000 + 3_000, `sent ${sent} in 60 s`);
  });

  test('null limits are no limits', async () => {
    const clock = new FakeClock();
    const unlimited = new RateLimiter({ recordsPerSec: null, bytesPerSec: null }, clock);
    for (let i = 0; i < 1_000; i++) await unlimited.acquire(1_000_000, 1e12);
    assert.equal(clock.sleeps, 0);
    // Only the records limit applies: any byte count passes at the records rate.
    const grants = await saturate({ recordsPerSec: 100, bytesPerSec: null }, { callers: 1, end: 10_000, batch: () => ({ records: 10, bytes: 1e12 }) });
    assert.ok(total(grants, records) >= 990 && total(grants, records) <= 1_010);
  });

  test('waiters are admitted in arrival order; a later small one does not overtake', async () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter({ recordsPerSec: 1_000, bytesPerSec: null }, clock);
    const order: string[] = [];
    void limiter.acquire(90, 0).then(() => order.push(`a@${clock.now()}`));
    void limiter.acquire(500, 0).then(() => order.push(`b@${clock.now()}`));
    // a is admitted at half a burst (25 records, 25 ms), leaving a debt of 65; at 95 ms the
    // bucket holds 5, enough for c, but c and d queue behind b, which needs 25: at 115 ms.
    await clock.run(95);
    void limiter.acquire(1, 0).then(() => order.push(`c@${clock.now()}`));
    void limiter.acquire(1, 0).then(() => order.push(`d@${clock.now()}`));
    await clock.run(2_000);
    // b's debt of 475 then delays c and d.
    assert.deepEqual(order, ['a@25', 'b@115', 'c@591', 'd@592']);
  });

  test('an aborted wait ends at once, counts nothing and leaves no listener behind', async () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter({ recordsPerSec: 1_000, bytesPerSec: null }, clock);
    const stop = new AbortController();
    const listeners = () => getEventListeners(stop.signal, 'abort').length;
    const done: string[] = [];
    await clock.run(50); // a full burst: 50 records
    for (let i = 0; i < 5; i++) await limiter.acquire(10, 0, stop.signal);
    assert.equal(listeners(), 0, 'admitted without waiting: no listener');
    void limiter.acquire(50, 0, stop.signal).then(() => done.push(`waiter@${clock.now()}`));
    void limiter.acquire(50, 0).then(() => done.push(`other@${clock.now()}`));
    await settle();
    assert.equal(listeners(), 1);
    await clock.run(125);
    // Each is admitted at half a burst (25) and leaves a debt of 25.
    assert.deepEqual(done, ['waiter@75', 'other@125']);
    assert.equal(listeners(), 0, 'an admitted waiter removes its listener');

    void limiter.acquire(1_000, 0, stop.signal).then(() => done.push(`aborted@${clock.now()}`));
    await clock.run(150);
    stop.abort();
    await clock.run(150);
    assert.deepEqual(done.slice(2), ['aborted@150']);
    // Had the aborted 1,000 records been counted, this would wait out their debt.
    await clock.run(200);
    const sleeps = clock.sleeps;
    await limiter.acquire(50, 0);
    assert.equal(clock.sleeps, sleeps, 'the bucket is full again at 200 ms: 50 records pass at once');
    await limiter.acquire(1, 0, stop.signal); // already aborted: immediate
  });

  test('a rate must be positive', () => {
    assert.throws(() => new RateLimiter({ recordsPerSec: 0, bytesPerSec: null }), RangeError);
    assert.throws(() => new RateLimiter({ recordsPerSec: null, bytesPerSec: -5 }), RangeError);
  });
});
