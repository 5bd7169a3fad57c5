// Consumer-group offsets over the in-memory Kafka: a backup captures a group's committed offsets,
// the restore (restore.consumer_groups) or `offsets apply` afterwards commits them translated to
// the target's offsets; a group with an active member on the target is refused, nothing committed.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MemoryKafka } from '../../kafka/memory/cluster.js';
import { MemoryBackend } from '../../storage/memory-backend.js';
import { applyOffsets, backup, backupConfig, restore, restoreConfig } from './harness.js';

const T0 = Date.now() - 3_600_000;

/** A source whose offsets differ from the target's: records deleted before offset 5, a control batch at 10. */
function source(): MemoryKafka {
  const kafka = new MemoryKafka();
  kafka.createTopic('orders', 1);
  kafka.append('orders', 0, { records: Array.from({ length: 10 }, (_, i) => ({ timestamp: T0 + i, key: `k${i}`, value: `v${i}` })) });
  const txn = kafka.beginTransaction();
  txn.append('orders', 0, [{ timestamp: T0 + 20, key: 't', value: 'txn' }]);
  txn.commit();
  kafka.append('orders', 0, { records: Array.from({ length: 5 }, (_, i) => ({ timestamp: T0 + 30 + i, key: `m${i}`, value: `w${i}` })) });
  kafka.deleteRecords('orders', 0, 5);
  // offsets: 0-9 data (0-4 deleted), 10 txn record, 11 commit marker, 12-16 data
  kafka.setGroup('app', { offsets: [{ topic: 'orders', partition: 0, offset: 14, metadata: 'm' }] });
  kafka.setGroup('other', { offsets: [{ topic: 'orders', partition: 0, offset: 7, metadata: null }] });
  return kafka;
}

const committed = (kafka: MemoryKafka, group: string) => kafka.groups.get(group)?.offsets.get('orders/0')?.offset;

describe('consumer-group offsets over the in-memory Kafka', () => {
  test('the restore commits captured offsets translated to the target', async () => {
    const storage = new MemoryBackend();
    await backup(source(), storage, backupConfig('compression: none\nconsumer_groups: ["*"]'));
    const target = new MemoryKafka();
    await restore(target, storage, restoreConfig('consumer_groups: ["*"]'));
    // Target offsets: v5..v9 at 0-4, txn at 5, w0..w4 at 6-10. Source 14 is w2 → 8; source 7 is v7 → 2.
    assert.equal(committed(target, 'app'), 8);
    assert.equal(committed(target, 'other'), 2);
  });

  test('offsets apply after a restore without groups; an active group on the target is refused', async () => {
    const storage = new MemoryBackend();
    await backup(source(), storage, backupConfig('compression: none\nconsumer_groups: ["*"]'));
    const target = new MemoryKafka();
    await restore(target, storage);
    assert.equal(committed(target, 'app'), undefined);
    target.setGroup('other', { members: 1 });
    const result = await applyOffsets(target, storage, restoreConfig('consumer_groups: ["*"]'));
    assert.deepEqual(result.committed, ['app']);
    assert.equal(committed(target, 'app'), 8);
    assert.equal(committed(target, 'other'), undefined);
    assert.ok(result.problems.some((p) => p.includes('other')), result.problems.join('; '));
  });
});
