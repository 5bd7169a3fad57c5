import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { runPool, runTurns } from '../../../src/pipeline/shared/pool.js';

/** Counts tasks running at once. */
function gauge() {
  const g = {
    active: 0,
    max: 0,
    async hold(ms: number) {
      g.active++;
      g.max = Math.max(g.max, g.active);
      try {
        await sleep(ms);
      } finally {
        g.active--;
      }
    },
  };
  return g;
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('runPool', () => {
  test('runs every item once, never more than `limit` at a time, and uses the whole limit', async () => {
    const g = gauge();
    const seen: number[] = [];
    await runPool(range(10), 3, async (i) => {
      await g.hold(2 + (i % 3));
      seen.push(i);
    });
    assert.deepEqual([...seen].sort((a, b) => a - b), range(10));
    assert.equal(g.max, 3);
    assert.equal(g.active, 0);
  });

  test('a limit above the item count runs all items at once; no items is a no-op', async () => {
    const g = gauge();
    let runs = 0;
    await runPool(range(4), 100, async () => {
      runs++;
      await g.hold(5);
    });
    assert.equal(runs, 4);
    assert.equal(g.max, 4);
    await runPool([], 3, async () => assert.fail('no item to run'));
  });

  test('after a failure no new item starts; the failure is rethrown once running items settled', async () => {
    const started: number[] = [];
    const finished: number[] = [];
    const boom = new Error('item 1 failed');
    await assert.rejects(
      runPool(range(10), 3, async (i) => {
        started.push(i);
        if (i === 1) {
          await sleep(1);
          throw boom;
        }
        await sleep(20);
        finished.push(i);
      }),
      (err) => err === boom,
    );
    // Items 0 and 2 were running when 1 failed: they finished before runPool returned.
    assert.deepEqual(started, [0, 1, 2]);
    assert.deepEqual(finished.sort(), [0, 2]);
  });

  test('only the first failure is rethrown', async () => {
    await assert.rejects(
      runPool(range(3), 3, async (i) => {
        await sleep(i * 5);
        throw new Error(`fail ${i}`);
      }),
      /fail 0/,
    );
  });
});

describe('runTurns', () => {
  test("'again' re-queues the item until it says 'done'; every item gets all its turns", async () => {
    const wanted = new Map([[0, 3], [1, 1], [2, 5], [3, 2]]);
    const turns = new Map<number, number>();
    const g = gauge();
    await runTurns([...wanted.keys()], 2, async (i) => {
      await g.hold(1);
      const n = (turns.get(i) ?? 0) + 1;
      turns.set(i, n);
      return n < wanted.get(i)! ? 'again' : 'done';
    });
    assert.deepEqual(turns, wanted);
    assert.equal(g.max, 2);
    assert.equal(g.active, 0);
  });

  test('re-queued items go to the back: other items get a turn in between', async () => {
    const order: string[] = [];
    const count = new Map<string, number>();
    await runTurns(['a', 'b'], 1, async (x) => {
      order.push(x);
      const n = (count.get(x) ?? 0) + 1;
      count.set(x, n);
      return n < 3 ? 'again' : 'done';
    });
    assert.deepEqual(order, ['a', 'b', 'a', 'b', 'a', 'b']);
  });

  test('a limit above the item count runs all at once and still terminates', async () => {
    const g = gauge();
    const turns = [0, 0, 0];
    await runTurns(range(3), 10, async (i) => {
      await g.hold(3);
      return ++turns[i]! < 3 ? 'again' : 'done';
    });
    assert.equal(g.max, 3);
    assert.equal(g.active, 0);
    assert.deepEqual(turns, [3, 3, 3]);
  });

  test('no items returns at once', async () => {
    await runTurns([], 4, async () => assert.fail('no item to run'));
  });

  test('a failure stops new turns, waits for running ones, and is rethrown', async () => {
    const boom = new Error('turn failed');
    const log: string[] = [];
    let turnsOfZero = 0;
    await assert.rejects(
      runTurns(range(4), 2, async (i) => {
        log.push(`start ${i}`);
        if (i === 1) {
          await sleep(1);
          throw boom;
        }
        turnsOfZero++;
        await sleep(20);
        log.push(`end ${i}`);
        return 'again';
      }),
      (err) => err === boom,
    );
    // Item 0 was running when 1 failed: it ended, and neither it nor items 2, 3 started again.
    assert.deepEqual(log, ['start 0', 'start 1', 'end 0']);
    assert.equal(turnsOfZero, 1);
  });
});
