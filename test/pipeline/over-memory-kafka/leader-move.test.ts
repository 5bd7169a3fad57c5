// Leaders that move while the data flows: the old leader answers NOT_LEADER_OR_FOLLOWER, the
// source and sink refresh their metadata and go on at the new leader, nothing lost or repeated.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MemoryKafka } from '../../kafka/memory/cluster.js';
import { MemoryBackend } from '../../storage/memory-backend.js';
import { backup, backupConfig, consumed, restore, restoreConfig } from './harness.js';

const T0 = Date.now() - 3_600_000;

function source(): MemoryKafka {
  const kafka = new MemoryKafka({ brokers: 3 });
  kafka.createTopic('orders', 3);
  for (let p = 0; p < 3; p++) {
    for (let b = 0; b < 20; b++) {
      kafka.append('orders', p, { records: Array.from({ length: 5 }, (_, i) => ({ timestamp: T0 + b * 5 + i, key: `k${i}`, value: `p${p}-b${b}-r${i}-${'y'.repeat(300)}` })) });
    }
  }
  return kafka;
}

describe('leader moves over the in-memory Kafka', () => {
  test('mid-backup: every partition changes leader during the run; the backup restores exactly the source', async () => {
    const src = source();
    const leadersBefore = [0, 1, 2].map((p) => src.partition('orders', p).leader);
    src.faults.onRequest('fetch', (n) => {
      if (n === 3 || n === 7 || n === 11) src.moveLeader('orders', (n - 3) / 4);
    });
    const storage = new MemoryBackend();
    await backup(src, storage, backupConfig('compression: none', { 'max.partition.fetch.bytes': 4000 }));
    assert.notDeepEqual([0, 1, 2].map((p) => src.partition('orders', p).leader), leadersBefore);
    const target = new MemoryKafka({ brokers: 3 });
    await restore(target, storage);
    assert.deepEqual(await consumed(target, 'orders'), await consumed(src, 'orders'));
  });

  test('mid-restore: leaders move between produces; every record lands once, in order', async () => {
    const src = source();
    const storage = new MemoryBackend();
    await backup(src, storage);
    const target = new MemoryKafka({ brokers: 3 });
    let moves = 0;
    target.faults.onRequest('produce', (n) => {
      if (n % 4 === 0 && target.topics.has('orders')) {
        target.moveLeader('orders', n % 3);
        moves++;
      }
    });
    await restore(target, storage, restoreConfig('produce_batch_size: 10'));
    assert.ok(moves >= 3, `${moves} leader moves`);
    assert.deepEqual(await consumed(target, 'orders'), await consumed(src, 'orders'));
  });

  test('a paused leader: fetches time out and are retried until the broker answers again', async () => {
    const src = source();
    const leader = src.partition('orders', 0).leader;
    src.faults.onRequest('fetch', (n) => {
      if (n === 2) {
        src.pauseBroker(leader);
        setTimeout(() => src.resumeBroker(leader), 150);
      }
    });
    const storage = new MemoryBackend();
    await backup(src, storage, backupConfig('compression: none', { 'request.timeout.ms': 40, 'max.partition.fetch.bytes': 4000, retries: 20 }));
    const target = new MemoryKafka();
    await restore(target, storage);
    assert.deepEqual(await consumed(target, 'orders'), await consumed(src, 'orders'));
  });
});
