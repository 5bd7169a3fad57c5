import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { KafkaBackupError } from '../../src/errors.js';
import { configureStorageConcurrency, type Release, Semaphore, storageSemaphore } from '../../src/storage/semaphore.js';

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('Semaphore', () => {
  test('never exceeds the limit and serves waiters first come, first served', async () => {
    const sem = new Semaphore(2);
    const first = await sem.acquire();
    const second = await sem.acquire();
    const order: number[] = [];
    const releases = new Map<number, Release>();
    for (const n of [1, 2, 3, 4]) {
      void sem.acquire().then((release) => {
        order.push(n);
        releases.set(n, release);
      });
    }
    await tick();
    assert.equal(sem.waiting, 4);
    assert.deepEqual(order, []);
    first();
    await tick();
    assert.deepEqual(order, [1]);
    second();
    await tick();
    assert.deepEqual(order, [1, 2]);
    releases.get(2)?.();
    await tick();
    assert.deepEqual(order, [1, 2, 3]);
    releases.get(1)?.();
    await tick();
    assert.deepEqual(order, [1, 2, 3, 4]);
    assert.equal(sem.inUse, 2);
    releases.get(3)?.();
    releases.get(4)?.();
    assert.equal(sem.inUse, 0);
    assert.equal(sem.waiting, 0);
    assert.equal(sem.maxObserved, 2);
  });

  test('tryAcquire: a slot when free, undefined when full or when others wait', async () => {
    const sem = new Semaphore(1);
    const release = sem.tryAcquire();
    assert.ok(release);
    assert.equal(sem.tryAcquire(), undefined);
    const waiter = sem.acquire();
    release();
    assert.equal(sem.tryAcquire(), undefined, 'the freed slot went to the waiter, not to tryAcquire');
    const second = await waiter;
    second();
    const third = sem.tryAcquire();
    assert.ok(third);
    third();
    assert.equal(sem.inUse, 0);
  });

  test('releasing twice frees one slot only', async () => {
    const sem = new Semaphore(1);
    const release = await sem.acquire();
    const other = sem.acquire();
    release();
    release();
    const otherRelease = await other;
    assert.equal(sem.inUse, 1);
    assert.equal(sem.tryAcquire(), undefined);
    otherRelease();
    assert.equal(sem.inUse, 0);
  });

  test('limit 0 is unlimited but still counted', async () => {
    const sem = new Semaphore(0);
    const releases = await Promise.all(Array.from({ length: 100 }, () => sem.acquire()));
    assert.ok(sem.tryAcquire());
    assert.equal(sem.inUse, 101);
    assert.equal(sem.waiting, 0);
    assert.equal(sem.maxObserved, 101);
    for (const release of releases) release();
    assert.equal(sem.inUse, 1);
  });

  test('an invalid limit is a bug', () => {
    for (const limit of [-1, 1.5, Number.NaN]) {
      assert.throws(() => new Semaphore(limit), (err: unknown) => err instanceof KafkaBackupError && err.code === 'INTERNAL');
    }
  });

  test('the process-wide storage semaphore is configured once', () => {
    assert.throws(() => storageSemaphore(), (err: unknown) => err instanceof KafkaBackupError && err.code === 'INTERNAL');
    const shared = configureStorageConcurrency(8);
    assert.equal(shared.limit, 8);
    assert.equal(configureStorageConcurrency(8), shared);
    assert.equal(storageSemaphore(), shared);
    assert.throws(() => configureStorageConcurrency(16), (err: unknown) => err instanceof KafkaBackupError && err.code === 'INTERNAL');
  });
});
