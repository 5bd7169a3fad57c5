// The record comparisons the crash and bad-input tests rely on: each kind of damage a restore
// could do (lose, double, reorder, move, alter a record) must be reported. No broker needed.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  assertDenseOffsets,
  assertNoDuplicates,
  assertSameRecords,
  compareRecords,
  findDuplicates,
  parseKcat,
  prefixProblems,
  type TopicRecord,
} from './helpers/invariants.js';

const rec = (partition: number, offset: number, n: number, over: Partial<TopicRecord> = {}): TopicRecord => ({
  partition,
  offset,
  timestamp: 1_700_000_000_000 + n,
  key: `k${n}`,
  value: `v${n}`,
  headers: '',
  ...over,
});

// partition 0: k1 k2 k3, partition 1: k4 k5
const source = [rec(0, 0, 1), rec(0, 1, 2), rec(0, 2, 3), rec(1, 0, 4), rec(1, 1, 5)];
// the same records at other offsets, as after a restore with allow_append
const shifted = source.map((r) => ({ ...r, offset: r.offset + 10 }));

describe('compareRecords', () => {
  test('an exact copy, at any offsets, has no problems', () => {
    assert.deepEqual(compareRecords(source, source), []);
    assert.deepEqual(compareRecords(source, shifted), []);
    assertSameRecords(source, shifted, 'copy');
  });

  test('a missing record is reported by key', () => {
    const problems = compareRecords(source, source.filter((r) => r.key !== 'k2'));
    assert.equal(problems.length, 1);
    assert.match(problems[0]!, /1 records missing: k2/);
  });

  test('a duplicated record is reported with its count', () => {
    const problems = compareRecords(source, [...source, rec(0, 3, 3)]);
    assert.match(problems.join('\n'), /1 keys written more than once: k3×2/);
  });

  test('an unexpected record is reported', () => {
    assert.match(compareRecords(source, [...source, rec(1, 2, 9)]).join('\n'), /1 unexpected records: k9/);
  });

  test('a record in another partition is reported', () => {
    const moved = source.map((r) => (r.key === 'k4' ? { ...r, partition: 0, offset: 3 } : r));
    assert.match(compareRecords(source, moved).join('\n'), /1 records in another partition: k4 1→0/);
  });

  test('records swapped within a partition are reported with the position', () => {
    const swapped = [rec(0, 0, 1), rec(0, 1, 3), rec(0, 2, 2), rec(1, 0, 4), rec(1, 1, 5)];
    assert.deepEqual(compareRecords(source, swapped), ['partition 0: order differs at position 1: expected k2, got k3']);
  });

  test('a changed value, timestamp or header is reported', () => {
    for (const change of [{ value: 'other' }, { timestamp: 1 }, { headers: 'h=1' }]) {
      const altered = source.map((r) => (r.key === 'k5' ? { ...r, ...change } : r));
      assert.match(compareRecords(source, altered).join('\n'), /1 records changed: k5/);
    }
  });

  test('assertSameRecords fails naming the problem', () => {
    assert.throws(() => assertSameRecords(source, source.slice(1), 'restore'), /restore: 5 records expected, 4 found:[\s\S]*missing: k1/);
  });
});

describe('prefixProblems', () => {
  test('a prefix of each partition, or nothing, is a valid partial restore', () => {
    assert.deepEqual(prefixProblems(source, []), []);
    assert.deepEqual(prefixProblems(source, [rec(0, 0, 1), rec(1, 0, 4), rec(1, 1, 5)]), []);
    assert.deepEqual(prefixProblems(source, source), []);
  });

  test('a skipped, repeated or extra record is reported', () => {
    assert.deepEqual(prefixProblems(source, [rec(0, 0, 1), rec(0, 1, 3)]), ['partition 0: position 1 holds k3, expected k2']);
    assert.deepEqual(prefixProblems(source, [rec(0, 0, 1), rec(0, 1, 1)]), ['partition 0: position 1 holds k1, expected k2']);
    assert.deepEqual(prefixProblems(source, [...source, rec(1, 2, 6)]), [
      'partition 1: 3 records, more than the 2 expected',
      'partition 1: position 2 holds k6, expected nothing',
    ]);
  });
});

describe('duplicates and offsets', () => {
  test('findDuplicates counts repeated keys only', () => {
    assert.deepEqual([...findDuplicates([...source, rec(1, 2, 4), rec(1, 3, 4)])], [['k4', 3]]);
    assertNoDuplicates(source, 'source');
    assert.throws(() => assertNoDuplicates([...source, rec(0, 9, 1)], 'target'), /target: 1 keys occur more than once: k1×2/);
  });

  test('assertDenseOffsets finds a hole', () => {
    assertDenseOffsets(source, 'source');
    assert.throws(() => assertDenseOffsets([rec(0, 0, 1), rec(0, 2, 2)], 't'), /partition 0 jumps from offset 0 to 2/);
  });
});

describe('parseKcat', () => {
  test('reads partition, offset, timestamp, key, value and headers', () => {
    const rs = parseKcat('0\t5\t1700000000001\tk1\tv1\t\n2\t7\t1700000000002\tk2\tv2\th=x\n');
    assert.deepEqual(rs, [rec(0, 5, 1), rec(2, 7, 2, { headers: 'h=x' })]);
  });

  test('refuses a line it cannot split', () => {
    assert.throws(() => parseKcat('0\t1\tbroken\n'), /unexpected kcat line/);
  });
});
