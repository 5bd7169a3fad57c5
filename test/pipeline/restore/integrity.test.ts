// Issue 8, item 5: a restore checks what it cheaply can before writing anything, never produces a
// record of a block that fails its checksum, stops every partition once one fails (each keeping a
// resumable state), and says where each partition stands. The whole pipeline (runRestore) runs
// against the in-memory storage and an in-memory target cluster (fake-kafka-sink.ts).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { pino } from 'pino';
import { parseConfig } from '../../../src/config/load.js';
import { isKafkaBackupError } from '../../../src/errors.js';
import { BLOCK_HEADER_SIZE, FORMAT_VERSION } from '../../../src/format/constants.js';
import { writeDescriptor } from '../../../src/format/descriptor.js';
import { restoresPrefix, segmentKey } from '../../../src/format/layout.js';
import { commitSegment, emptyManifest, writeManifest } from '../../../src/format/manifest.js';
import { readRestoreState } from '../../../src/format/restore-state.js';
import { SegmentReader, type BlockIndexEntry } from '../../../src/format/segment-reader.js';
import { readBatchHeader } from '../../../src/records/batch.js';
import { runRestore } from '../../../src/pipeline/restore/restore.js';
import { RestoreProgress, type RestoreOutcome } from '../../../src/pipeline/restore/progress.js';
import { limitConcurrency } from '../../../src/storage/limited.js';
import { Semaphore } from '../../../src/storage/semaphore.js';
import type { StorageBackend } from '../../../src/storage/backend.js';
import { writeSegment } from '../../format/helpers.js';
import { buildBatch } from '../../records/build.js';
import { MemoryBackend } from '../../storage/memory-backend.js';
import { FakeKafkaSink } from '../fake-kafka-sink.js';

const ID = 'nightly';
const TOPIC = 'orders';
const TARGET = 'orders-restored';
const T0 = 1_700_000_000_000;
const iso = new Date(T0).toISOString();
const silent = pino({ level: 'silent' });

/** The value of source record `offset` of partition `p`: what the target must end up holding. */
const value = (p: number, offset: number) => `p${p}-${offset}`;
const source = (n: number, p: number) => Array.from({ length: n }, (_, o) => value(p, o));

/**
 * A complete backup of TOPIC: partition p holds records[p] records, in batches of 10, segments of
 * `perSegment` records, blocks of about 600 bytes (several per segment).
 */
async function backup(storage: MemoryBackend, records: number[], perSegment: number): Promise<void> {
  await writeDescriptor(
    storage,
    {
      format_version: FORMAT_VERSION,
      backup_id: ID,
      created_at: iso,
      updated_at: iso,
      state: 'complete',
      mode: 'snapshot',
      owner: { run_id: 'r1', host: 'h', pid: 1, heartbeat_at: iso, heartbeat_interval_ms: 10_000 },
      source: { cluster_id: 'Src', bootstrap_servers: ['k:9092'] },
      compression: { codec: 'none', level: 0 },
      topics: [{ name: TOPIC, partitions: records.length }],
      runs: [{ run_id: 'r1', started_at: iso, ended_at: iso, result: 'complete' }],
      error: null,
    },
    { create: true },
  );
  for (const [p, n] of records.entries()) {
    let m = emptyManifest(TOPIC, p);
    for (let base = 0; base < n; base += perSegment) {
      const batches = [];
      for (let o = base; o < Math.min(n, base + perSegment); o += 10) {
        const count = Math.min(10, n - o, base + perSegment - o);
        const bytes = buildBatch({ baseOffset: o, records: Array.from({ length: count }, (_, i) => ({ timestamp: T0 + o + i, key: `k${o + i}`, value: value(p, o + i) })) });
        batches.push({ header: readBatchHeader(bytes, 0), bytes });
      }
      const summary = await writeSegment(storage, segmentKey(ID, TOPIC, p, base), 'none', batches, 600);
      m = commitSegment(m, summary, batches.at(-1)!.header.lastOffset + 1);
    }
    await writeManifest(storage, ID, m, { create: true });
  }
}

class HeadCounting extends MemoryBackend {
  readonly heads: string[] = [];
  override head(key: string) {
    this.heads.push(key);
    return super.head(key);
  }
}

function config(restore: Record<string, unknown> = {}) {
  const text = JSON.stringify({
    backup_id: ID,
    target: { bootstrap_servers: ['k:9092'] },
    storage: { backend: 'filesystem', path: '/unused' },
    restore: { topic_mapping: { [TOPIC]: TARGET }, max_concurrent_partitions: 3, produce_batch_size: 20, ...restore },
  });
  return parseConfig(text, 'test.yaml');
}

async function restore(storage: StorageBackend, sink: FakeKafkaSink, opts: { verifyFirst?: boolean; restore?: Record<string, unknown>; signal?: AbortSignal } = {}) {
  const progress = new RestoreProgress();
  const signal = opts.signal ?? new AbortController().signal;
  const run = runRestore({ config: config(opts.restore), sink, storage, log: silent, signal, progress, verifyFirst: opts.verifyFirst === true });
  return { run, progress };
}

/** Flips one byte in the middle of block `block` of a segment; returns the block and a repair. */
async function flipByteInBlock(storage: MemoryBackend, key: string, block: number): Promise<{ entry: BlockIndexEntry; repair: () => void }> {
  const entry = (await SegmentReader.open(storage, key)).blocks[block]!;
  const data = storage.objects.get(key)!.data;
  const at = entry.position + BLOCK_HEADER_SIZE + Math.floor(entry.storedLength / 2);
  const original = data[at]!;
  data[at] = original ^ 0x40;
  return { entry, repair: () => void (data[at] = original) };
}

function assertCorrupt(err: unknown, phrases: string[]): true {
  assert.ok(isKafkaBackupError(err, 'BACKUP_CORRUPT'), `expected BACKUP_CORRUPT, got ${String(err)}`);
  for (const p of phrases) assert.ok(err.message.includes(p), `the message should name ${JSON.stringify(p)}:\n${err.message}`);
  return true;
}

/** `outcome` undefined: the backup was refused while planning, before any partition was planned. */
function assertNothingWritten(storage: MemoryBackend, sink: FakeKafkaSink, outcome: RestoreOutcome | undefined): void {
  assert.deepEqual(sink.created, [], 'no topic created');
  assert.equal(sink.producerInits, 0, 'no InitProducerId');
  assert.equal(sink.produceCalls, 0, 'nothing produced');
  assert.deepEqual([...storage.objects.keys()].filter((k) => k.startsWith(restoresPrefix(ID))), [], 'no restore state written');
  if (outcome === undefined) return;
  assert.deepEqual(outcome.not_started.map((p) => p.target), [`${TARGET}/0`, `${TARGET}/1`, `${TARGET}/2`]);
  assert.deepEqual([...outcome.complete, ...outcome.partial], []);
}

describe('restore: checked before written', () => {
  test('missing segments and segments of the wrong size are all listed, and the target is left untouched', async () => {
    const storage = new MemoryBackend();
    await backup(storage, [300, 300, 300], 100);
    const missing = segmentKey(ID, TOPIC, 0, 100);
    const truncated = segmentKey(ID, TOPIC, 2, 200);
    storage.objects.delete(missing);
    storage.objects.get(truncated)!.data = storage.objects.get(truncated)!.data.subarray(0, 500);
    const sink = new FakeKafkaSink();
    const { run } = await restore(storage, sink);
    await assert.rejects(run, (err) =>
      assertCorrupt(err, [`${TOPIC}/0: segment ${missing}`, 'listed in its manifest but missing', `${TOPIC}/2: segment ${truncated}`, 'holds 500 bytes', 'nothing was restored']),
    );
    assertNothingWritten(storage, sink, undefined);
  });

  test('the cheap check lists the backup once: a head only for what the listing lacks, through the storage stack', async () => {
    const memory = new HeadCounting({ delayMs: 2 });
    await backup(memory, [400, 400, 400], 50);
    const semaphore = new Semaphore(3);
    memory.objects.delete(segmentKey(ID, TOPIC, 1, 350));
    const { run } = await restore(limitConcurrency(memory, semaphore), new FakeKafkaSink());
    await assert.rejects(run, (err) => assertCorrupt(err, [segmentKey(ID, TOPIC, 1, 350)]));
    assert.deepEqual(memory.heads.filter((k) => k.endsWith('.kbs')), [segmentKey(ID, TOPIC, 1, 350)], 'only the segment the listing lacks is asked for again');
    assert.ok(memory.maxActive <= 3, `at most 3 storage calls at once, saw ${memory.maxActive}`);
  });

  test('--verify-first: a flipped byte (the size unchanged) is refused before anything is written', async () => {
    const storage = new MemoryBackend();
    await backup(storage, [300, 300, 300], 100);
    const key = segmentKey(ID, TOPIC, 0, 100);
    await flipByteInBlock(storage, key, 1);
    const sink = new FakeKafkaSink();
    const { run, progress } = await restore(storage, sink, { verifyFirst: true });
    await assert.rejects(run, (err) => assertCorrupt(err, [`${TOPIC}/0: segment ${key}: sha256`, 'fail the read-back', 'nothing was written']));
    assertNothingWritten(storage, sink, progress.outcome());
  });

  test('a signal during the --verify-first read-back stops the restore before its first write', async () => {
    const storage = new MemoryBackend();
    await backup(storage, [300, 300, 300], 100);
    const sink = new FakeKafkaSink();
    const controller = new AbortController();
    controller.abort();
    const { run, progress } = await restore(storage, sink, { verifyFirst: true, signal: controller.signal });
    await assert.rejects(run, (err) => isKafkaBackupError(err, 'INTERRUPTED'));
    assertNothingWritten(storage, sink, progress.outcome());
  });

  test('partitions an earlier run completed are not checked: their segments are not read again', async () => {
    const storage = new MemoryBackend();
    await backup(storage, [100, 100, 100], 50);
    const sink = new FakeKafkaSink();
    await (await restore(storage, sink)).run;
    await flipByteInBlock(storage, segmentKey(ID, TOPIC, 1, 50), 0);
    const again = await restore(storage, sink, { verifyFirst: true });
    await again.run;
    assert.deepEqual(again.progress.outcome().complete.map((p) => p.target), [`${TARGET}/0`, `${TARGET}/1`, `${TARGET}/2`]);
  });
});

describe('restore: a block that fails its checksum', () => {
  test('none of its records is produced; every partition stops with a resumable state; the summary says where each stands; the repaired rerun writes every record once', async () => {
    const storage = new MemoryBackend();
    // Partition 0 fails in its first segment; 1 and 2 have far more to do, so they are cut short.
    const sizes = [300, 3000, 3000];
    await backup(storage, sizes, 100);
    const key = segmentKey(ID, TOPIC, 0, 0);
    const { entry, repair } = await flipByteInBlock(storage, key, 2);
    const sink = new FakeKafkaSink(5);
    const first = await restore(storage, sink);
    await assert.rejects(first.run, (err) =>
      assertCorrupt(err, [`restoring ${TOPIC}/0 into ${TARGET}/0`, key, `block 2 (offsets ${entry.baseOffset}..${entry.lastOffset})`, 'CRC mismatch']),
    );

    // Everything before the damaged block, nothing of it.
    assert.deepEqual(sink.log(TARGET, 0), source(sizes[0]!, 0).slice(0, entry.baseOffset), 'partition 0 stops exactly at the damaged block');

    const outcome = first.progress.outcome();
    assert.deepEqual(outcome.complete, []);
    assert.deepEqual(outcome.not_started, []);
    assert.deepEqual(
      outcome.partial.map((o) => [o.target, o.stopped_by]),
      [
        [`${TARGET}/0`, 'error'],
        [`${TARGET}/1`, 'another_partition'],
        [`${TARGET}/2`, 'another_partition'],
      ],
    );
    assert.match(outcome.partial[0]!.error!, /CRC mismatch/);
    for (const o of outcome.partial) {
      const p = Number(o.target.split('/')[1]);
      const log = sink.log(TARGET, p);
      assert.ok(log.length < sizes[p]!, `${o.target} stopped early (${log.length} of ${sizes[p]})`);
      assert.deepEqual(log, source(sizes[p]!, p).slice(0, log.length), `${o.target}: a prefix of the source`);
      assert.equal(o.records_written, log.length, `${o.target}: records written`);
      assert.equal(o.next_source_offset, log.length, `${o.target}: next source offset`);
      const state = await readRestoreState(storage, ID, 'TargetCluster', TARGET, p);
      assert.equal(state?.state.state, 'in_progress', `${o.target}: resumable state`);
      assert.equal(state?.state.records_written, log.length, `${o.target}: the stored state says how far it got`);
    }

    // A rerun without the repair stops at the same block, writing nothing twice.
    const again = await restore(storage, sink);
    await assert.rejects(again.run, (err) => assertCorrupt(err, [key, `block 2 (offsets ${entry.baseOffset}..${entry.lastOffset})`]));
    assert.deepEqual(sink.log(TARGET, 0), source(sizes[0]!, 0).slice(0, sink.log(TARGET, 0).length));

    repair();
    const last = await restore(storage, sink);
    await last.run;
    for (const [p, n] of sizes.entries()) assert.deepEqual(sink.log(TARGET, p), source(n, p), `partition ${p}: every record exactly once`);
    assert.deepEqual(last.progress.outcome().complete.map((o) => [o.target, o.records_written, o.next_source_offset]), [
      [`${TARGET}/0`, 300, null],
      [`${TARGET}/1`, 3000, null],
      [`${TARGET}/2`, 3000, null],
    ]);
    assert.equal(sink.created.length, 1, 'the topic was created once');
  });

  test('partitions not started when one fails stay untouched and are reported as not started', async () => {
    const storage = new MemoryBackend();
    await backup(storage, [200, 200, 200], 100);
    const key = segmentKey(ID, TOPIC, 0, 0);
    await flipByteInBlock(storage, key, 0);
    const sink = new FakeKafkaSink();
    const { run, progress } = await restore(storage, sink, { restore: { max_concurrent_partitions: 1 } });
    await assert.rejects(run, (err) => assertCorrupt(err, [key, 'block 0']));
    const outcome = progress.outcome();
    assert.deepEqual(outcome.partial.map((o) => [o.target, o.records_written, o.next_source_offset]), [[`${TARGET}/0`, 0, 0]]);
    assert.deepEqual(outcome.not_started.map((o) => o.target), [`${TARGET}/1`, `${TARGET}/2`]);
    assert.deepEqual(sink.logs.get(TARGET), [[], [], []], 'no record reached the target');
    assert.equal(await readRestoreState(storage, ID, 'TargetCluster', TARGET, 1), undefined, 'partition 1 has no restore state');
  });

  test('SIGINT/SIGTERM: every partition stops with a resumable state, the summary says so, the rerun completes', async () => {
    const storage = new MemoryBackend();
    const sizes = [2000, 2000, 2000];
    await backup(storage, sizes, 500);
    const sink = new FakeKafkaSink(5);
    const controller = new AbortController();
    const first = await restore(storage, sink, { signal: controller.signal });
    setTimeout(() => controller.abort(), 100);
    await assert.rejects(first.run, (err) => isKafkaBackupError(err, 'INTERRUPTED'));
    const outcome = first.progress.outcome();
    assert.deepEqual(outcome.partial.map((o) => [o.target, o.stopped_by]), [0, 1, 2].map((p) => [`${TARGET}/${p}`, 'signal']));
    for (const o of outcome.partial) {
      const p = Number(o.target.split('/')[1]);
      const log = sink.log(TARGET, p);
      assert.ok(log.length < sizes[p]!, `${o.target} was stopped (${log.length} records)`);
      assert.equal(o.records_written, log.length);
      assert.equal((await readRestoreState(storage, ID, 'TargetCluster', TARGET, p))?.state.records_written, log.length);
    }
    await (await restore(storage, sink)).run;
    for (const [p, n] of sizes.entries()) assert.deepEqual(sink.log(TARGET, p), source(n, p), `partition ${p}: every record exactly once`);
  });
});
