import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isKafkaBackupError } from '../../src/errors.js';
import { restoreStateKey } from '../../src/format/layout.js';
import {
  OffsetMapBuilder,
  lookup,
  nextTargetFor,
  readRestoreState,
  writeRestoreState,
  type OffsetMapRun,
  type RestoreState,
} from '../../src/format/restore-state.js';
import { FastBackend, assertFails } from './helpers.js';

const KEY = restoreStateKey('nightly', 'Zx1', 'orders-restored', 0);
const code = (c: string) => (err: unknown) => isKafkaBackupError(err) && err.code === c;

function sample(offsetMap: OffsetMapRun[] = [[0, 999, 0], [1003, 1482, 1000]]): RestoreState {
  return {
    format_version: 1,
    backup_id: 'nightly',
    source_topic: 'orders',
    source_partition: 0,
    target_cluster_id: 'Zx1',
    target_topic: 'orders-restored',
    target_partition: 0,
    state: 'in_progress',
    target_start_offset: 0,
    records_written: 1480,
    offset_map: offsetMap,
    started_at: '2026-11-22T06:00:00.000Z',
    updated_at: '2026-11-22T06:01:00.000Z',
  };
}

describe('OffsetMapBuilder', () => {
  test('merges adjacent runs and starts a new run where source or target offsets jump', () => {
    const b = new OffsetMapBuilder();
    b.add(0, 4, 100);
    b.add(5, 9, 105); // contiguous in both: merged
    b.add(11, 11, 110); // source jump (a marker at 10)
    b.add(12, 12, 112); // target jump
    b.add(13, 20, 113);
    assert.deepEqual(b.runs, [
      [0, 9, 100],
      [11, 11, 110],
      [12, 20, 112],
    ]);
  });

  test('resumes from an existing map and returns copies', () => {
    const b = new OffsetMapBuilder([[0, 9, 0]]);
    b.add(10, 19, 10);
    const runs = b.runs;
    runs[0]![1] = 0;
    assert.deepEqual(b.runs, [[0, 19, 0]]);
  });

  test('refuses runs that go backwards or overlap (INTERNAL)', () => {
    const b = new OffsetMapBuilder();
    b.add(10, 19, 100);
    assert.throws(() => b.add(19, 25, 110), code('INTERNAL'));
    assert.throws(() => b.add(20, 25, 105), code('INTERNAL'));
    assert.throws(() => b.add(30, 29, 200), code('INTERNAL'));
    assert.throws(() => new OffsetMapBuilder([[5, 9, 0], [0, 4, 5]]), code('INTERNAL'));
  });
});

describe('offset map lookups', () => {
  const map: OffsetMapRun[] = [
    [0, 999, 0],
    [1003, 1482, 1000],
    [1500, 1500, 1480],
  ];

  test('lookup finds restored offsets only', () => {
    assert.equal(lookup(map, 0), 0);
    assert.equal(lookup(map, 999), 999);
    assert.equal(lookup(map, 1000), undefined);
    assert.equal(lookup(map, 1003), 1000);
    assert.equal(lookup(map, 1482), 1479);
    assert.equal(lookup(map, 1490), undefined);
    assert.equal(lookup(map, 1500), 1480);
    assert.equal(lookup(map, 1501), undefined);
    assert.equal(lookup([], 0), undefined);
  });

  test('nextTargetFor translates a committed offset to the next restored record', () => {
    assert.equal(nextTargetFor(map, 0), 0);
    assert.equal(nextTargetFor(map, 500), 500);
    assert.equal(nextTargetFor(map, 1000), 1000, 'offsets 1000..1002 were not restored: next is 1003 → 1000');
    assert.equal(nextTargetFor(map, 1483), 1480);
    assert.equal(nextTargetFor(map, 1500), 1480);
    assert.equal(nextTargetFor(map, 1501), undefined);
    assert.equal(nextTargetFor([], 0), undefined);
  });
});

describe('restore state storage', () => {
  test('round trip with conditional writes', async () => {
    const storage = new FastBackend();
    assert.equal(await readRestoreState(storage, 'nightly', 'Zx1', 'orders-restored', 0), undefined);
    const etag = await writeRestoreState(storage, sample(), { create: true });
    assert.deepEqual(await readRestoreState(storage, 'nightly', 'Zx1', 'orders-restored', 0), { state: sample(), etag });
    assert.equal(storage.objects.get(KEY)!.data.toString(), `${JSON.stringify(sample(), null, 2)}\n`);
    await assert.rejects(writeRestoreState(storage, { ...sample(), updated_at: '2026-11-22T07:00:00.000Z' }, { etag: 'stale' }), code('STORAGE_PRECONDITION'));
  });

  test('corrupt, foreign and newer states', async () => {
    const cases: [string, unknown][] = [
      ['bad map run', { ...sample(), offset_map: [[0, 1]] }],
      ['overlapping map', { ...sample(), offset_map: [[0, 10, 0], [5, 20, 11]] }],
      ['bad state', { ...sample(), state: 'done' }],
      ['other target', { ...sample(), target_partition: 1 }],
    ];
    for (const [what, value] of cases) {
      const storage = new FastBackend();
      await storage.put(KEY, Buffer.from(JSON.stringify(value)));
      await assertFails(() => readRestoreState(storage, 'nightly', 'Zx1', 'orders-restored', 0), 'BACKUP_CORRUPT', KEY, what);
    }
    const storage = new FastBackend();
    await storage.put(KEY, Buffer.from(JSON.stringify({ ...sample(), format_version: 3 })));
    await assertFails(() => readRestoreState(storage, 'nightly', 'Zx1', 'orders-restored', 0), 'FORMAT_UNSUPPORTED', KEY);
  });

  test('writing an invalid map is a bug (INTERNAL)', async () => {
    await assert.rejects(writeRestoreState(new FastBackend(), sample([[5, 4, 0]])), code('INTERNAL'));
  });
});
