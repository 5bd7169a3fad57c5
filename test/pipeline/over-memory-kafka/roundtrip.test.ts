// runBackup then runRestore over the in-memory Kafka: what a read-committed consumer of the
// target sees is exactly what one of the source saw, record for record (keys and values null vs
// empty, duplicate headers, timestamps, LogAppendTime), with aborted transactions and control
// batches left out, compacted gaps and deleted records handled, in order.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MemoryKafka } from '../../kafka/memory/cluster.js';
import { buildCompressedBatch, type SimpleRecord } from '../../records/build.js';
import { MemoryBackend } from '../../storage/memory-backend.js';
import { backup, consumed, restore, values } from './harness.js';

const T0 = Date.now() - 3_600_000;

function recs(tag: string, n: number, start = T0): SimpleRecord[] {
  return Array.from({ length: n }, (_, i) => ({ timestamp: start + i * 7, key: `${tag}-k${i}`, value: `${tag}-v${i}` }));
}

/** A source partition holding every kind of batch a real log has. */
async function richSource(): Promise<MemoryKafka> {
  const kafka = new MemoryKafka({ brokers: 3 });
  kafka.createTopic('events', 2, { configs: { 'retention.ms': '-1' } });
  kafka.append('events', 0, {
    records: [
      { timestamp: T0, key: null, value: Buffer.alloc(0), headers: [{ key: 'h', value: null }, { key: 'h', value: 'second' }, { key: Buffer.from([0xff]), value: Buffer.alloc(0) }] },
      { timestamp: T0 - 500, key: Buffer.alloc(0), value: null },
      { timestamp: T0 + 10, key: 'k', value: Buffer.from([0, 1, 2, 255]) },
    ],
  });
  kafka.append('events', 0, await buildCompressedBatch({ records: recs('gz', 5) }));
  kafka.append('events', 0, { records: recs('lat', 3), logAppendTime: T0 + 99 });
  const t1 = kafka.transactionalProducer();
  const t2 = kafka.transactionalProducer();
  const a = kafka.beginTransaction(t1);
  a.append('events', 0, recs('committed-a', 2));
  const b = kafka.beginTransaction(t2);
  b.append('events', 0, recs('aborted-b', 3));
  a.append('events', 0, recs('committed-a2', 1));
  kafka.append('events', 0, { records: recs('plain-between', 2) });
  a.commit();
  b.abort();
  kafka.beginTransaction(t2).append('events', 0, recs('aborted-c', 1));
  // the open transaction above aborts below: its records never become visible
  const c = kafka.beginTransaction(t1);
  c.append('events', 0, recs('committed-c', 4));
  c.commit();
  // Partition 1: a compacted log (gaps inside and between batches), then deleted records inside a batch.
  kafka.appendAsIs('events', 1, { baseOffset: 0, records: [{ offset: 0, timestamp: T0, key: 'a', value: 'a0' }, { offset: 3, timestamp: T0 + 1, key: 'b', value: 'b3' }], lastOffsetDelta: 5 });
  kafka.appendAsIs('events', 1, { baseOffset: 10, records: recs('after-gap', 4).map((r, i) => ({ ...r, offset: 10 + i })) });
  kafka.appendAsIs('events', 1, { baseOffset: 20, records: recs('kept', 6).map((r, i) => ({ ...r, offset: 20 + i })) });
  kafka.deleteRecords('events', 1, 12);
  return kafka;
}

describe('backup and restore over the in-memory Kafka', () => {
  test('a consumer of the target reads exactly what a consumer of the source read', async () => {
    const source = await richSource();
    // The aborted-c transaction is still open at the end of the log: abort it so the snapshot sees everything.
    const open = [...source.log('events', 0).openTxns.keys()];
    for (const producerId of open) source.log('events', 0).appendMarker(producerId, 0, 'abort');
    const storage = new MemoryBackend();
    await backup(source, storage);
    const target = new MemoryKafka({ brokers: 2 });
    await restore(target, storage);
    const want = await consumed(source, 'events');
    assert.ok(want[0]!.length > 10 && want[1]!.length === 8, `source partitions hold ${want.map((p) => p.length)} records`);
    assert.deepEqual(await consumed(target, 'events'), want);
    const seen = (await values(target, 'events')).flat();
    assert.deepEqual(seen.filter((v) => v.startsWith('aborted')), []);
    assert.equal(target.topics.get('events')!.configs.get('retention.ms'), '-1', 'the topic config came along');
    // The restored log is dense: no control batches, no gaps, nothing transactional.
    for (const { log } of target.topics.get('events')!.partitions) {
      let next = 0;
      for (const { header } of log.batches) {
        assert.equal(header.baseOffset, next);
        assert.ok(!header.isControl && !header.isTransactional);
        next = header.lastOffset + 1;
      }
    }
  });

  test('a backup stops at the last stable offset: an open transaction and what follows it wait for the next run', async () => {
    const source = new MemoryKafka();
    source.createTopic('orders', 1);
    source.append('orders', 0, { records: recs('before', 3) });
    const open = source.beginTransaction();
    open.append('orders', 0, recs('pending', 2));
    source.append('orders', 0, { records: recs('after', 2) });
    const storage = new MemoryBackend();
    await backup(source, storage);
    const first = new MemoryKafka();
    await restore(first, storage);
    assert.deepEqual(await values(first, 'orders'), [['before-v0', 'before-v1', 'before-v2']]);
    open.commit();
    await backup(source, storage);
    const second = new MemoryKafka();
    await restore(second, storage);
    assert.deepEqual(await consumed(second, 'orders'), await consumed(source, 'orders'));
  });
});
