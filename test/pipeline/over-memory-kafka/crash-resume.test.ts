// Resume after a crash at every step: a backup or restore that dies at the Nth storage write, the
// Nth fetch or the Nth produce (for every N a clean run has), then runs again, ends with exactly the
// source's records on the target: no gap, no duplicate (docs/design.md, invariants 1, 2, 5, 6).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MemoryKafka } from '../../kafka/memory/cluster.js';
import { MemoryBackend } from '../../storage/memory-backend.js';
import { CrashableBackend, copyOf, crashKafkaAt } from './crash.js';
import { backup, backupConfig, consumed, restore, restoreConfig } from './harness.js';

const T0 = Date.now() - 3_600_000;
/** Several segments and blocks per partition, several fetches per segment. */
const BACKUP = backupConfig('compression: none\nsegment_max_bytes: 64KiB\nblock_max_bytes: 16KiB\nmax_concurrent_partitions: 2', {
  'max.partition.fetch.bytes': 20_000,
});
const RESTORE = restoreConfig('produce_batch_size: 40');

function source(): MemoryKafka {
  const kafka = new MemoryKafka({ brokers: 2 });
  kafka.createTopic('orders', 2);
  for (let p = 0; p < 2; p++) {
    for (let b = 0; b < 30; b++) {
      kafka.append('orders', p, { records: Array.from({ length: 10 }, (_, i) => ({ timestamp: T0 + b * 10 + i, key: `k${b}-${i}`, value: `p${p}-b${b}-r${i}-${'x'.repeat(200)}` })) });
      if (b % 10 === 5) {
        const txn = kafka.beginTransaction();
        txn.append('orders', p, [{ timestamp: T0 + b * 10, key: 'txn', value: `p${p}-b${b}-txn` }]);
        if (b === 15) txn.abort();
        else txn.commit();
      }
    }
  }
  return kafka;
}

async function assertRestoresExactly(storage: MemoryBackend, src: MemoryKafka, what: string): Promise<void> {
  const target = new MemoryKafka();
  await restore(target, storage, RESTORE);
  assert.deepEqual(await consumed(target, 'orders'), await consumed(src, 'orders'), what);
}

describe('resume after a crash at every step', () => {
  test('backup: a crash at each storage write, then a rerun, restores exactly the source', async () => {
    const src = source();
    const clean = new CrashableBackend();
    await backup(src, clean, BACKUP);
    assert.ok(clean.writes >= 6, `${clean.writes} writes`);
    for (let n = 1; n <= clean.writes; n++) {
      const storage = new CrashableBackend();
      storage.crashAtWrite = n;
      await backup(src, storage, BACKUP).catch(() => undefined);
      await storage.revive();
      await backup(src, storage, BACKUP);
      await assertRestoresExactly(storage, src, `crash at write ${n}`);
    }
  });

  test('backup: a crash at each fetch, then a rerun, restores exactly the source', async () => {
    const src = source();
    const before = src.faults.count('fetch');
    await backup(src, new MemoryBackend(), BACKUP);
    const fetches = src.faults.count('fetch') - before;
    assert.ok(fetches >= 6, `${fetches} fetches`);
    for (let n = 1; n <= fetches; n++) {
      const storage = new CrashableBackend();
      crashKafkaAt(src, 'fetch', n, storage);
      await assert.rejects(backup(src, storage, BACKUP));
      src.faults.clear();
      await storage.revive();
      await backup(src, storage, BACKUP);
      await assertRestoresExactly(storage, src, `crash at fetch ${n}`);
    }
  });

  test('restore: a crash at each produce or at each storage write, then a rerun: every record once, in order', async () => {
    const src = source();
    const backedUp = new MemoryBackend();
    await backup(src, backedUp, BACKUP);
    const want = await consumed(src, 'orders');
    const probe = new MemoryKafka();
    const counted = copyOf(backedUp);
    await restore(probe, counted, RESTORE);
    const produces = probe.faults.count('produce');
    assert.ok(produces >= 6, `${produces} produces`);
    let crashes = 0;
    for (let n = 1; n <= produces; n++) {
      const storage = copyOf(backedUp);
      const target = new MemoryKafka();
      crashKafkaAt(target, 'produce', n, storage);
      // Requests carry whichever partitions are ready, so a run may need fewer than the clean one did.
      if (await restore(target, storage, RESTORE).then(() => false, () => true)) crashes++;
      target.faults.clear();
      await storage.revive();
      await restore(target, storage, RESTORE);
      assert.deepEqual(await consumed(target, 'orders'), want, `crash at produce ${n}`);
    }
    assert.ok(crashes >= produces - 2, `${crashes} of ${produces} runs crashed`);
    for (let n = 1; n <= counted.writes; n++) {
      const storage = copyOf(backedUp);
      storage.crashAtWrite = n;
      const target = new MemoryKafka();
      await restore(target, storage, RESTORE).catch(() => undefined);
      await storage.revive();
      await restore(target, storage, RESTORE);
      assert.deepEqual(await consumed(target, 'orders'), want, `crash at restore write ${n}`);
    }
  });

  test('restore: a produce whose answer is lost is sent again and stored once (idempotent producer)', async () => {
    const src = source();
    const storage = new MemoryBackend();
    await backup(src, storage, BACKUP);
    for (const n of [1, 2, 5, 9]) {
      const target = new MemoryKafka();
      target.faults.failNext('produce', 1, 'lose-response', { after: n - 1 });
      await restore(target, copyOf(storage), RESTORE);
      assert.deepEqual(await consumed(target, 'orders'), await consumed(src, 'orders'), `answer of produce ${n} lost`);
    }
  });
});
