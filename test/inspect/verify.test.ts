// verifyBackup, behind `verify`: a whole backup read back without Kafka; missing or unreadable
// objects are problems like a bad checksum, a backup with nothing stored is not found.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SEGMENT_SUFFIX } from '../../src/format/constants.js';
import { manifestKey, segmentKey } from '../../src/format/layout.js';
import { verifyBackup } from '../../src/inspect/verify.js';
import { assertFailsWith } from '../assert-error.js';
import { threePartitions } from './fixtures.js';

const ID = 'nightly';

describe('verifyBackup', () => {
  test('an intact backup: every partition and segment counted, no problem, deep or not', async () => {
    const storage = await threePartitions();
    const segments = [...storage.objects].filter(([k]) => k.endsWith(SEGMENT_SUFFIX));
    for (const deep of [true, false]) {
      const v = await verifyBackup(storage, ID, { deep });
      assert.deepEqual(v, { backupId: ID, partitions: 4, segments: 5, bytes: segments.reduce((n, [, o]) => n + o.data.length, 0), problems: [] });
    }
  });

  test('a backup id with nothing stored is BACKUP_NOT_FOUND, naming the id and the location', async () => {
    const storage = await threePartitions();
    await assertFailsWith(verifyBackup(storage, 'weekly', { deep: true }), 'BACKUP_NOT_FOUND', /"weekly".*kafka-backup status/);
  });

  test('a missing manifest is listed first, then the segment the deep read finds damaged; the quick check sees only the manifest', async () => {
    const storage = await threePartitions();
    storage.objects.delete(manifestKey(ID, 'u', 0));
    const key = segmentKey(ID, 't', 0, 0);
    const data = storage.objects.get(key)!.data;
    data[data.length - 40]! ^= 0x01;
    const deep = await verifyBackup(storage, ID, { deep: true });
    assert.equal(deep.problems.length, 2, deep.problems.join('\n'));
    assert.match(deep.problems[0]!, /u\/0/);
    assert.ok(deep.problems[1]!.startsWith(`${key}: `), deep.problems[1]);
    assert.equal(deep.segments, 4, 'the segments of the partitions with a manifest');
    const quick = await verifyBackup(storage, ID, { deep: false });
    assert.deepEqual(quick.problems, deep.problems.slice(0, 1));
  });
});
