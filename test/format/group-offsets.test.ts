import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { chooseCapture, listGroupCaptures, readGroupCapture, sameOffsets, writeGroupCapture, type GroupCapture } from '../../src/format/group-offsets.js';
import { groupCaptureKey, parseGroupCaptureKey } from '../../src/format/layout.js';
import { MemoryBackend } from '../storage/memory-backend.js';
import { assertFails } from './helpers.js';

const capture = (at: number, offset: number): GroupCapture => ({
  format_version: 1,
  backup_id: 'nightly',
  captured_at: new Date(at).toISOString(),
  source_cluster_id: 'C1',
  groups: [{ group_id: 'billing', state: 'Empty', offsets: [{ topic: 'orders', partition: 0, offset, metadata: null }] }],
});

describe('consumer-group captures', () => {
  test('keys sort by capture time and parse back; other keys are not captures', () => {
    assert.equal(groupCaptureKey('nightly', 1_700_000_000_123), 'nightly/groups/00000001700000000123.json');
    assert.deepEqual(parseGroupCaptureKey('nightly/groups/00000001700000000123.json'), { id: 'nightly', capturedAtMs: 1_700_000_000_123 });
    for (const k of ['nightly/groups/1700000000123.json', 'nightly/groups/00000001700000000123.json.tmp', 'nightly/backup.json', 'x/y/groups/00000001700000000123.json']) {
      assert.equal(parseGroupCaptureKey(k), undefined, k);
    }
  });

  test('written, listed in time order, read back; never overwritten', async () => {
    const storage = new MemoryBackend();
    await writeGroupCapture(storage, capture(2000, 7));
    await writeGroupCapture(storage, capture(1000, 3));
    await storage.put('nightly/groups/notes.txt', Buffer.from('x'));
    assert.deepEqual(await listGroupCaptures(storage, 'nightly'), [1000, 2000]);
    assert.deepEqual(await readGroupCapture(storage, 'nightly', 2000), capture(2000, 7));
    await assert.rejects(writeGroupCapture(storage, capture(2000, 9)), { code: 'STORAGE_PRECONDITION' });
  });

  test('a capture whose content disagrees with its key is corrupt', async () => {
    const storage = new MemoryBackend();
    const key = groupCaptureKey('nightly', 5000);
    await storage.put(key, Buffer.from(JSON.stringify(capture(4000, 1))));
    await assertFails(() => readGroupCapture(storage, 'nightly', 5000), 'BACKUP_CORRUPT', key);
    await storage.put(key, Buffer.from('{"format_version":1,"groups":"no"}'));
    await assertFails(() => readGroupCapture(storage, 'nightly', 5000), 'BACKUP_CORRUPT', key);
  });

  test('the capture for a point in time is the latest at or before it', () => {
    assert.equal(chooseCapture([10, 20, 30], undefined), 30);
    assert.equal(chooseCapture([10, 20, 30], 20), 20);
    assert.equal(chooseCapture([10, 20, 30], 29), 20);
    assert.equal(chooseCapture([10, 20, 30], 9), undefined);
    assert.equal(chooseCapture([], undefined), undefined);
  });

  test('sameOffsets compares groups and offsets, not times or states', () => {
    const a = capture(1, 5).groups;
    assert.ok(sameOffsets(a, capture(2, 5).groups));
    assert.ok(sameOffsets(a, [{ ...a[0]!, state: 'Stable' }]));
    assert.ok(!sameOffsets(a, capture(1, 6).groups));
    assert.ok(!sameOffsets(a, [{ ...a[0]!, offsets: [{ ...a[0]!.offsets[0]!, metadata: 'm' }] }]));
    assert.ok(!sameOffsets(a, []));
  });
});
