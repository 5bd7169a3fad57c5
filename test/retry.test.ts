// The one retry loop (src/retry.ts), with its waits and randomness injected: every caller's
// policy is only numbers and a predicate given to this loop, so it is tested once, here.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { KafkaBackupError } from '../src/errors.js';
import { backoffDelay, retry, retryClock, type RetryPolicy } from '../src/retry.js';

const transient = () => new KafkaBackupError('STORAGE_IO', 'transient', { retryable: true });
const permanent = () => new KafkaBackupError('STORAGE_IO', 'permanent', { retryable: false });

/** An operation failing `failures` times with `make()`, then answering 'ok'; records its attempts. */
function failing(failures: number, make: () => unknown = transient) {
  const attempts: number[] = [];
  const operation = async (attempt: number) => {
    attempts.push(attempt);
    if (attempts.length <= failures) throw make();
    return 'ok';
  };
  return { operation, attempts };
}

describe('retry: the one retry loop', () => {
  const saved = { ...retryClock };
  let waits: number[];
  let random: number;

  beforeEach(() => {
    waits = [];
    random = 0.5;
    retryClock.sleep = async (ms) => void waits.push(ms);
    retryClock.random = () => random;
  });
  afterEach(() => Object.assign(retryClock, saved));

  const policy: RetryPolicy = { retries: 3, baseDelayMs: 100, maxDelayMs: 350 };

  test('retryable failures are retried until the operation succeeds; attempts are numbered from 0', async () => {
    const op = failing(2);
    assert.equal(await retry(op.operation, { policy }), 'ok');
    assert.deepEqual(op.attempts, [0, 1, 2]);
    assert.equal(waits.length, 2);
  });

  test('after 1 + retries attempts the last failure is thrown as it is', async () => {
    const errors: unknown[] = [];
    const op = failing(10, () => {
      errors.push(transient());
      return errors[errors.length - 1];
    });
    await assert.rejects(retry(op.operation, { policy }), (err) => err === errors[3]);
    assert.deepEqual(op.attempts, [0, 1, 2, 3]);
    const none = failing(10);
    await assert.rejects(retry(none.operation, { policy: { ...policy, retries: 0 } }), /transient/);
    assert.deepEqual(none.attempts, [0]);
  });

  test('default predicate: only a KafkaBackupError marked retryable is retried', async () => {
    for (const make of [permanent, () => new Error('plain'), () => 'a string']) {
      const op = failing(1, make);
      await assert.rejects(retry(op.operation, { policy }));
      assert.deepEqual(op.attempts, [0]);
    }
  });

  test('a predicate decides instead, seeing the failed attempt', async () => {
    const seen: number[] = [];
    const op = failing(10, permanent);
    await assert.rejects(
      retry(op.operation, {
        policy,
        isRetryable: (_err, attempt) => (seen.push(attempt), attempt < 2),
      }),
      /permanent/,
    );
    assert.deepEqual(op.attempts, [0, 1, 2]);
    assert.deepEqual(seen, [0, 1, 2]);
  });

  test('waits: capped exponential, jitter in the upper half of the cap, rounded to a millisecond', async () => {
    random = 0;
    await assert.rejects(retry(failing(10).operation, { policy }));
    assert.deepEqual(waits, [50, 100, 175]); // caps 100, 200, 350 (350 = maxDelayMs, not 400)
    waits = [];
    random = 0.999999;
    await assert.rejects(retry(failing(10).operation, { policy }));
    assert.deepEqual(waits, [100, 200, 350]);
    random = 0.3;
    assert.equal(backoffDelay({ retries: 1, baseDelayMs: 7, maxDelayMs: 1000 }, 0), Math.round(3.5 + 0.3 * 3.5));
  });

  test("jitter 'none': the wait is the capped exponential itself", async () => {
    random = 0;
    await assert.rejects(retry(failing(10).operation, { policy: { ...policy, jitter: 'none' } }));
    assert.deepEqual(waits, [100, 200, 350]);
  });

  test('onRetry hears each retry (1-based) with its wait, before waiting', async () => {
    const heard: [string, number, number, number][] = [];
    await retry(failing(2).operation, {
      policy,
      onRetry: (err, n, delay) => heard.push([(err as Error).message, n, delay, waits.length]),
    });
    assert.deepEqual(heard, [
      ['transient', 1, 75, 0],
      ['transient', 2, 150, 1],
    ]);
  });

  test('failuresSoFar: the count and the waits continue from failures an earlier loop made', async () => {
    random = 0;
    const op = failing(10);
    await assert.rejects(retry(op.operation, { policy, failuresSoFar: 2 }));
    assert.deepEqual(op.attempts, [2, 3]);
    assert.deepEqual(waits, [175]);
  });

  test('abort: an aborted signal stops retrying; an abort during a wait ends it at once with the last failure', async () => {
    const done = new AbortController();
    done.abort();
    const op = failing(10);
    await assert.rejects(retry(op.operation, { policy, signal: done.signal }), /transient/);
    assert.deepEqual(op.attempts, [0]);

    retryClock.sleep = () => new Promise(() => undefined); // a wait that never ends by itself
    const later = new AbortController();
    const op2 = failing(10);
    const run = retry(op2.operation, { policy, signal: later.signal });
    await new Promise((resolve) => setImmediate(resolve));
    later.abort();
    await assert.rejects(run, /transient/);
    assert.deepEqual(op2.attempts, [0]);
  });
});
