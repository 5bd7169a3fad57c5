// The backup section's settings, each shown changing what runBackup does: a config parsed from
// YAML drives the real pipeline over an in-memory cluster and store. Each test would fail if the
// pipeline ignored its key (the default would give another result).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import type { Config } from '../../../src/config/types.js';
import { readDescriptor } from '../../../src/format/descriptor.js';
import { readManifest } from '../../../src/format/manifest.js';
import { runBackup } from '../../../src/pipeline/backup/backup.js';
import { MemoryBackend } from '../../storage/memory-backend.js';
import { base, parse } from '../../config/helpers.js';
import { FakeCluster } from '../fake-cluster.js';

const log = pino({ level: 'silent' });
const ID = 'test-backup';

function config(backup: string, topics = ''): Config {
  return parse(`${base}source:\n  bootstrap_servers: k:9092\n${topics}backup:\n${backup.replace(/^/gm, '  ')}\n`);
}

async function backup(cfg: Config, cluster: FakeCluster, storage = new MemoryBackend(), signal = new AbortController().signal) {
  await runBackup({ config: cfg, source: cluster, storage, log, signal });
  return storage;
}

/** Runs a continuous backup for `ms`, calling `during` meanwhile, then stops it. */
async function continuousFor(cfg: Config, cluster: FakeCluster, ms: number, during: (storage: MemoryBackend) => Promise<void> = () => sleep(ms)) {
  const storage = new MemoryBackend();
  const stop = new AbortController();
  const run = backup(cfg, cluster, storage, stop.signal);
  const timer = setTimeout(() => stop.abort(), ms);
  try {
    await during(storage);
  } finally {
    clearTimeout(timer);
    stop.abort();
    await run;
  }
  return storage;
}

async function segments(storage: MemoryBackend, topic = 'orders', partition = 0) {
  return (await readManifest(storage, ID, topic, partition))?.manifest.segments ?? [];
}

describe('backup settings', () => {
  test('segment_max_bytes: a partition rolls to a new segment once that many bytes are written', async () => {
    // 300 batches of 10 records of 100 bytes: about 400 KB of record batches.
    const data = () => new FakeCluster().addTopic('orders', 1, 300);
    const small = await segments(await backup(config('segment_max_bytes: 64KiB\nblock_max_bytes: 4KiB'), data()));
    const large = await segments(await backup(config('block_max_bytes: 4KiB'), data()));
    assert.equal(large.length, 1);
    assert.ok(small.length >= 5, `${small.length} segments`);
    for (const s of small.slice(0, -1)) assert.ok(s.raw_bytes >= 65536 && s.raw_bytes < 65536 + 20_000, `segment of ${s.raw_bytes} bytes`);
    assert.equal(small.reduce((n, s) => n + s.record_count, 0), 3000);
  });

  test('block_max_bytes: each segment holds one compressed block per block_max_bytes of batches', async () => {
    const data = () => new FakeCluster().addTopic('orders', 1, 100);
    const [small] = await segments(await backup(config('block_max_bytes: 4KiB'), data()));
    const [large] = await segments(await backup(config('block_max_bytes: 64KiB'), data()));
    assert.ok(small!.block_count >= small!.raw_bytes / 4096 - 1, `${small!.block_count} blocks for ${small!.raw_bytes} bytes`);
    assert.ok(large!.block_count <= Math.ceil(large!.raw_bytes / 65536) + 1, `${large!.block_count} blocks for ${large!.raw_bytes} bytes`);
    assert.ok(small!.block_count > large!.block_count);
  });

  test('compression: segments are written with the configured codec', async () => {
    for (const codec of ['none', 'lz4', 'zstd'] as const) {
      const stored = await backup(config(`compression: ${codec}`), new FakeCluster().addTopic('orders', 1, 5));
      assert.deepEqual((await segments(stored)).map((s) => s.codec), [codec]);
      assert.equal((await readDescriptor(stored, ID))!.descriptor.compression.codec, codec);
    }
  });

  test('compression_level: zstd blocks are written at the configured level', async () => {
    const stored = async (level: number) => {
      const storage = await backup(config(`compression: zstd\ncompression_level: ${level}`), new FakeCluster().addTopic('orders', 1, 300));
      assert.equal((await readDescriptor(storage, ID))!.descriptor.compression.level, level);
      return (await segments(storage)).reduce((n, s) => n + s.stored_bytes, 0);
    };
    const [fast, small] = [await stored(1), await stored(19)];
    assert.ok(small < fast, `level 19 stored ${small} bytes, level 1 ${fast}`);
  });

  test('max_concurrent_partitions: at most that many partitions fetch at once', async () => {
    const seen: number[] = [];
    for (const limit of [1, 3]) {
      const cluster = new FakeCluster({ batchesPerFetch: 1, fetchDelayMs: 15 }).addTopic('orders', 6, 4);
      await backup(config(`max_concurrent_partitions: ${limit}`), cluster);
      seen.push(cluster.maxInFlight);
    }
    assert.deepEqual(seen, [1, 3]);
  });

  test('mode: snapshot stops at the end offsets seen at start; continuous goes on with records written later', async () => {
    const snapshot = new FakeCluster().addTopic('orders', 1, 2);
    const stored = await backup(config('mode: snapshot'), snapshot);
    snapshot.append('orders', 0, 10);
    assert.equal((await segments(stored)).reduce((n, s) => n + s.record_count, 0), 20);

    const continuous = new FakeCluster().addTopic('orders', 1, 2);
    const followed = await continuousFor(config('mode: continuous\npoll_interval_ms: 20'), continuous, 600, async () => {
      await sleep(200);
      continuous.append('orders', 0, 10);
      await sleep(400);
    });
    assert.equal((await segments(followed)).reduce((n, s) => n + s.record_count, 0), 30);
  });

  test('poll_interval_ms: a caught-up partition in continuous mode fetches again after that long', async () => {
    const counts = await Promise.all(
      [40, 400].map(async (poll) => {
        const cluster = new FakeCluster().addTopic('orders', 1, 1);
        await continuousFor(config(`mode: continuous\npoll_interval_ms: ${poll}`), cluster, 1200);
        return cluster.fetches.length;
      }),
    );
    const [fast, slow] = counts as [number, number];
    assert.ok(slow <= 5, `${slow} fetches at 400 ms`);
    assert.ok(fast >= 10, `${fast} fetches at 40 ms`);
  });

  test('segment_max_interval_ms: a continuous backup stores an open segment once it is that old, while still running', async () => {
    const committedWhileRunning = async (interval: number) => {
      let count = 0;
      await continuousFor(config(`mode: continuous\npoll_interval_ms: 20\nsegment_max_interval_ms: ${interval}`), new FakeCluster().addTopic('orders', 1, 3), 1000, async (storage) => {
        await sleep(900);
        count = (await segments(storage)).length;
      });
      return count;
    };
    assert.deepEqual(await Promise.all([committedWhileRunning(200), committedWhileRunning(60_000)]), [1, 0]);
  });

  test('checkpoint_interval_secs: the descriptor heartbeat is refreshed that often, and recorded as the interval', async () => {
    const beats = new Set<string>();
    let interval = 0;
    await continuousFor(config('mode: continuous\ncheckpoint_interval_secs: 1'), new FakeCluster().addTopic('orders', 1, 1), 2600, async (storage) => {
      const end = Date.now() + 2500;
      while (Date.now() < end) {
        const d = (await readDescriptor(storage, ID))?.descriptor;
        if (d) {
          beats.add(d.owner.heartbeat_at);
          interval = d.owner.heartbeat_interval_ms;
        }
        await sleep(50);
      }
    });
    assert.equal(interval, 1000);
    // The claim's heartbeat and one per second after it.
    assert.ok(beats.size >= 3, `${beats.size} heartbeats seen in 2.5 s`);
  });
});

describe('source', () => {
  test('include and exclude choose the topics backed up', async () => {
    const cluster = new FakeCluster().addTopic('orders', 1, 1).addTopic('orders-tmp', 1, 1).addTopic('payments', 1, 1).addTopic('audit', 1, 1);
    const cfg = config('mode: snapshot', '  topics:\n    include: [orders, "orders-*", "~^pay"]\n    exclude: ["*-tmp"]\n');
    const stored = await backup(cfg, cluster);
    assert.deepEqual((await readDescriptor(stored, ID))!.descriptor.topics.map((t) => t.name), ['orders', 'payments']);
  });

  test('kafka_config fetch.max.wait.ms: every fetch lets the broker hold it that long', async () => {
    const cluster = new FakeCluster({ batchesPerFetch: 1 }).addTopic('orders', 2, 3);
    await backup(config('mode: snapshot', '  kafka_config: { "fetch.max.wait.ms": 1234 }\n'), cluster);
    assert.ok(cluster.fetches.length >= 6);
    assert.deepEqual([...new Set(cluster.fetches.map((f) => f.maxWaitMs))], [1234]);
  });
});
