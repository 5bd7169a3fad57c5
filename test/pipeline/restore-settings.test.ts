// The restore section's settings (and the target's produce settings), each shown changing what
// runRestore does: a backup made by runBackup in an in-memory store is restored into an in-memory
// target cluster with a config parsed from YAML. Each test would fail if the pipeline ignored its
// key (the default would give another result).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import type { Config } from '../../src/config/types.js';
import { readRestoreState } from '../../src/format/restore-state.js';
import { runBackup } from '../../src/pipeline/backup.js';
import { runRestore } from '../../src/pipeline/restore.js';
import { MemoryBackend } from '../storage/memory-backend.js';
import { assertFailsWith } from '../assert-error.js';
import { base, parse } from '../config/helpers.js';
import { FakeCluster } from './fake-cluster.js';

const log = pino({ level: 'silent' });
const ID = 'test-backup';

/** A backup of `topics` (name → partitions, batches of 10 records each) in a fresh memory store. */
async function backedUp(topics: Record<string, [partitions: number, batches: number]>): Promise<MemoryBackend> {
  const source = new FakeCluster();
  for (const [name, [partitions, batches]] of Object.entries(topics)) source.addTopic(name, partitions, batches);
  const storage = new MemoryBackend();
  const config = parse(`${base}source:\n  bootstrap_servers: k:9092\nbackup:\n  compression: none\n`);
  await runBackup({ config, source, storage, log, signal: new AbortController().signal });
  return storage;
}

function config(restore: string, kafkaConfig = ''): Config {
  const target = `target:\n  bootstrap_servers: k:9092\n${kafkaConfig ? `  kafka_config:\n${kafkaConfig.replace(/^/gm, '    ')}\n` : ''}`;
  return parse(`${base}${target}${restore ? `restore:\n${restore.replace(/^/gm, '  ')}\n` : ''}`);
}

async function restore(cfg: Config, storage: MemoryBackend, target = new FakeCluster()): Promise<FakeCluster> {
  await runRestore({ config: cfg, sink: target, storage, log, signal: new AbortController().signal });
  return target;
}

const recordsIn = (target: FakeCluster, topic: string) => (target.logs.get(topic) ?? []).reduce((n, l) => n + l.end, 0);

describe('restore settings', () => {
  test('produce_batch_size: no produced batch holds more records than that', async () => {
    const storage = await backedUp({ orders: [1, 30] });
    const small = await restore(config('produce_batch_size: 4'), storage);
    const large = await restore(config('produce_batch_size: 1000'), storage);
    assert.equal(Math.max(...small.produced.map((p) => p.records)), 4);
    assert.ok(Math.max(...large.produced.map((p) => p.records)) > 100);
    assert.equal(recordsIn(small, 'orders'), 300);
    assert.equal(recordsIn(large, 'orders'), 300);
  });

  test('max_concurrent_partitions: at most that many partitions are restored at once', async () => {
    const storage = await backedUp({ orders: [6, 4] });
    const seen: number[] = [];
    for (const limit of [1, 3]) {
      const target = await restore(config(`max_concurrent_partitions: ${limit}\nproduce_batch_size: 10`), storage, new FakeCluster({ produceDelayMs: 15 }));
      seen.push(target.maxPartitionsProducing);
      assert.equal(recordsIn(target, 'orders'), 240);
    }
    assert.deepEqual(seen, [1, 3]);
  });

  test('topics and topic_mapping: only the selected topics are restored, under their mapped names', async () => {
    const storage = await backedUp({ orders: [2, 1], 'orders-tmp': [1, 1], payments: [1, 1], audit: [1, 1] });
    const target = await restore(config('topics: { include: ["orders*", payments], exclude: ["*-tmp"] }\ntopic_mapping: { orders: orders-dr }'), storage);
    assert.deepEqual([...target.logs.keys()].sort(), ['orders-dr', 'payments']);
    assert.deepEqual(target.created.map((t) => [t.name, t.partitions]).sort(), [['orders-dr', 2], ['payments', 1]]);
    assert.equal(recordsIn(target, 'orders-dr'), 20);
  });

  test('create_topics: a missing target topic is created, or with false the restore stops naming it', async () => {
    const storage = await backedUp({ orders: [2, 1] });
    assert.deepEqual((await restore(config('create_topics: true'), storage)).created.map((t) => t.name), ['orders']);
    const target = new FakeCluster();
    await assertFailsWith(restore(config('create_topics: false'), storage, target), 'RESTORE_CONFLICT', /orders/);
    assert.deepEqual(target.created, []);
    assert.equal(target.produced.length, 0);
  });

  test('checkpoint_interval_secs: a running restore saves the partition state that often', async () => {
    const storage = await backedUp({ orders: [1, 26] });
    // 260 records at 100 records/s: about 2.6 s, so a 1-second checkpoint happens twice before the end.
    const target = new FakeCluster();
    const run = restore(config('checkpoint_interval_secs: 1\nrate_limit_records_per_sec: 100\nproduce_batch_size: 10'), storage, target);
    const seen = new Set<number>();
    let done = false;
    void run.finally(() => (done = true)).catch(() => undefined);
    while (!done) {
      const s = (await readRestoreState(storage, ID, target.id, 'orders', 0).catch(() => undefined))?.state;
      if (s?.state === 'in_progress') seen.add(s.records_written);
      await sleep(50);
    }
    await run;
    const progress = [...seen].filter((n) => n > 0 && n < 260);
    assert.ok(progress.length >= 1, `in-progress states seen with records_written ${[...seen].join(', ')}`);
  });

  test('rate_limit_bytes_per_sec: the bytes produced per second stay within the limit', async () => {
    const storage = await backedUp({ orders: [1, 20] });
    const target = await restore(config('rate_limit_bytes_per_sec: 20KB\nproduce_batch_size: 10'), storage);
    const bytes = target.produced.reduce((n, p) => n + p.bytes, 0);
    const elapsed = target.produced.at(-1)!.at - target.produced[0]!.at;
    // The first batches go out in the initial burst (1/20 s of the rate); the rest at 20 KB/s.
    assert.ok(elapsed >= ((bytes - 1000 - 2 * target.produced[0]!.bytes) / 20_000) * 1000, `${bytes} bytes in ${elapsed} ms`);
  });
});

describe('target.kafka_config: the restore producer settings', () => {
  test('max.in.flight.requests.per.connection: at most that many produces await their answer per partition', async () => {
    const storage = await backedUp({ orders: [1, 20] });
    const seen: number[] = [];
    for (const n of [1, 4]) {
      const target = await restore(config('produce_batch_size: 10', `"max.in.flight.requests.per.connection": ${n}`), storage, new FakeCluster({ produceDelayMs: 10 }));
      seen.push(target.maxPartitionInFlight);
      assert.equal(recordsIn(target, 'orders'), 200);
    }
    assert.deepEqual(seen, [1, 4]);
  });

  test('retries: a retriable produce failure is retried that many times before the restore fails', async () => {
    const storage = await backedUp({ orders: [1, 2] });
    const failing = new FakeCluster();
    failing.failProduces = 3;
    await assertFailsWith(restore(config('', 'retries: 2\n"retry.backoff.ms": 1'), storage, failing), 'KAFKA_PROTOCOL', /NOT_LEADER_OR_FOLLOWER/);
    const recovering = new FakeCluster();
    recovering.failProduces = 3;
    await restore(config('', 'retries: 3\n"retry.backoff.ms": 1'), storage, recovering);
    assert.equal(recordsIn(recovering, 'orders'), 20);
  });

  test('retry.backoff.ms: the first retry of a failed produce waits that long', async () => {
    const storage = await backedUp({ orders: [1, 1] });
    const waits: number[] = [];
    for (const backoff of [1, 300]) {
      const target = new FakeCluster();
      target.failProduces = 1;
      await restore(config('', `"retry.backoff.ms": ${backoff}`), storage, target);
      const [first, retry] = target.produceAttempts;
      waits.push(retry! - first!);
    }
    assert.ok(waits[0]! < 150 && waits[1]! >= 290, `waits ${waits.join(', ')} ms`);
  });
});
