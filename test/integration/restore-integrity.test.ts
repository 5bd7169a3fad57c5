// Issue 8, item 5: a restore writes only what it knows it can read. Against the real broker and a
// filesystem backup of a 3-partition topic, checked with kcat:
// - a missing segment and a segment of the wrong size are refused before anything is written
//   (no topic, no restore state), all listed with their partition;
// - a block with a flipped byte (size unchanged) is refused before writing with --verify-first;
// - without it, the restore stops at that block: nothing of the block reaches Kafka, the message
//   names partition, segment and offsets, the summary says which partitions are complete, and
//   once the segment is repaired the rerun completes with every record exactly once.
// validate-restore reports the damage without claiming the segments verified.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { SegmentReader } from '../../src/format/segment-reader.js';
import { BLOCK_HEADER_SIZE } from '../../src/format/constants.js';
import { openStorage } from '../../src/storage/index.js';
import { oneDocument } from '../cli/one-document.js';
import { roundTripConfig, runCli, writeConfig, type CliResult } from './helpers/cli.js';
import { bootstrap, tempDir, unique } from './helpers/env.js';
import { createTopic, kcat } from './helpers/kafka-tools.js';
import { assertSameRecords, byPartition, readManifests, readTopic, type TopicRecord } from './helpers/invariants.js';

const CORRUPT = 3;

interface PartitionJson {
  source: string;
  target: string;
  state: string;
  records_written: number;
  next_source_offset: number | null;
  stopped_by: string | null;
}
interface RestoreJson {
  complete: PartitionJson[];
  partial: PartitionJson[];
  not_started: PartitionJson[];
  error?: { code: string; message: string };
}

async function topicExists(b: string, topic: string): Promise<boolean> {
  const r = await kcat(['-L', '-b', b, '-J']);
  return (JSON.parse(r.stdout.toString()) as { topics: { topic: string }[] }).topics.some((t) => t.topic === topic);
}

/** Records k<from>..k<to> into one partition. */
async function produceTo(b: string, topic: string, partition: number, from: number, to: number): Promise<void> {
  const lines: string[] = [];
  for (let i = from; i <= to; i++) lines.push(`k${i}:v${i}`);
  await kcat(['-P', '-b', b, '-t', topic, '-p', String(partition), '-K:', '-X', 'linger.ms=5', '-X', 'batch.num.messages=200'], lines.join('\n') + '\n');
}

function expectExit(r: CliResult, code: number, phrases: string[], what: string): void {
  const text = r.stderr + r.stdout;
  assert.equal(r.code, code, `${what}: exit code ${r.code}, expected ${code}:\n${text}`);
  for (const p of phrases) assert.ok(text.includes(p), `${what}: output should contain ${JSON.stringify(p)}:\n${text}`);
}

describe('restore integrity (real broker, filesystem storage)', { timeout: 600_000 }, () => {
  const b = bootstrap();
  const topic = unique('integrity');
  const id = unique('integrity');
  const dir = tempDir('restore-integrity');
  const storagePath = join(dir, 'storage');
  // Partition 0 holds far more than 1 and 2: by the time its restore reaches its last block, the
  // small partitions are long complete.
  const sizes = [40_000, 500, 500];
  let source: TopicRecord[] = [];
  const restored = (name: string) => `${topic}-${name}`;
  /** A restore config into a fresh target topic. */
  const config = (name: string): string => {
    const c = JSON.parse(
      roundTripConfig({ backupId: id, storagePath, bootstrap: b, include: [topic], mapping: { [topic]: restored(name) }, backup: { compression: 'none', segment_max_bytes: 65536, block_max_bytes: 16384 } }),
    );
    // Segments roll between fetches: small fetches make small segments.
    c.source.kafka_config = { 'max.partition.fetch.bytes': 16384 };
    return writeConfig(dir, `${name}.yaml`, JSON.stringify(c));
  };
  const segmentsOf = (p: number) => readManifests(storagePath, id).find((m) => m.partition === p)!.segments;
  const restoresDir = join(storagePath, id, 'restores');

  test('fixture: a 3-partition topic backed up in small segments', async () => {
    await createTopic(b, topic, 3);
    let next = 1;
    for (const [p, n] of sizes.entries()) {
      await produceTo(b, topic, p, next, next + n - 1);
      next += n;
    }
    const cfg = config('backup');
    const r = await runCli(['backup', '-c', cfg]);
    assert.equal(r.code, 0, r.stderr);
    source = await readTopic(b, topic);
    assert.deepEqual([...byPartition(source).values()].map((l) => l.length), sizes);
    assert.ok(segmentsOf(0).length >= 3, 'partition 0 has several segments');
  });

  test('a missing segment and a truncated one are refused before anything is written, both named', async () => {
    const missing = segmentsOf(0)[1]!.key;
    const truncated = segmentsOf(2)[0]!.key;
    const truncatedBytes = readFileSync(join(storagePath, truncated));
    renameSync(join(storagePath, missing), join(dir, 'aside.kbs'));
    writeFileSync(join(storagePath, truncated), truncatedBytes.subarray(0, truncatedBytes.length - 100));
    try {
      const cfg = config('refused');
      const r = await runCli(['restore', '-c', cfg, '--json']);
      const doc = oneDocument(r, 'restore --json') as unknown as RestoreJson;
      expectExit(
        r,
        CORRUPT,
        ['BACKUP_CORRUPT', `${topic}/0: segment ${missing}`, 'listed in its manifest but missing', `${topic}/2: segment ${truncated}`, 'its manifest says', 'nothing was restored'],
        'restore of a backup missing a segment',
      );
      assert.equal(doc.error?.code, 'BACKUP_CORRUPT');
      // Refused while planning, before any partition was planned: nothing is complete or partial.
      assert.deepEqual([...doc.complete, ...doc.partial, ...doc.not_started], []);
      assert.equal(await topicExists(b, restored('refused')), false, 'the target topic was not created');
      assert.equal(existsSync(restoresDir), false, 'no restore state was written');

      const text = await runCli(['restore', '-c', cfg]);
      expectExit(text, CORRUPT, ['is damaged; nothing was restored'], 'restore (text)');

      const v = await runCli(['validate-restore', '-c', cfg, '--quick']);
      expectExit(v, CORRUPT, [missing, truncated, 'segments checked, 2 missing or the wrong size'], 'validate-restore --quick');
      assert.ok(!v.stdout.includes('segments found'), v.stdout);
    } finally {
      renameSync(join(dir, 'aside.kbs'), join(storagePath, missing));
      writeFileSync(join(storagePath, truncated), truncatedBytes);
    }
  });

  test('a flipped byte in a block of partition 0: --verify-first refuses before writing; without it nothing of the block is produced; repaired, the rerun completes', async () => {
    // The last block of partition 0's last segment: everything before it is restorable.
    const key = segmentsOf(0).at(-1)!.key;
    const file = join(storagePath, key);
    const storage = openStorage({ backend: 'filesystem', path: storagePath, permissions: 'private', max_concurrency: 4 });
    const blocks = (await SegmentReader.open(storage, key)).blocks;
    await storage.close();
    const block = blocks.length - 1;
    const entry = blocks[block]!;
    const original = readFileSync(file);
    const damaged = Buffer.from(original);
    damaged[entry.position + BLOCK_HEADER_SIZE + Math.floor(entry.storedLength / 2)]! ^= 0x40;
    writeFileSync(file, damaged);
    const named = [`${topic}/0`, key, `block ${block} (offsets ${entry.baseOffset}..${entry.lastOffset})`];

    const v = await runCli(['validate-restore', '-c', config('verify-first')]);
    expectExit(v, CORRUPT, [key, 'segments read, 1 damaged or missing'], 'validate-restore');
    assert.ok(!v.stdout.includes('read and verified'), `validate-restore must not claim the segments verified:\n${v.stdout}`);

    const refused = await runCli(['restore', '-c', config('verify-first'), '--verify-first']);
    expectExit(refused, CORRUPT, ['BACKUP_CORRUPT', `${topic}/0: segment ${key}`, 'fail the read-back', 'nothing was written'], 'restore --verify-first');
    assert.equal(await topicExists(b, restored('verify-first')), false, 'the target topic was not created');
    assert.equal(existsSync(restoresDir), false, 'no restore state was written');

    const cfg = config('stopped');
    const r = await runCli(['restore', '-c', cfg, '--json']);
    expectExit(r, CORRUPT, ['BACKUP_CORRUPT', ...named, 'CRC mismatch'], 'restore without --verify-first');
    const doc = oneDocument(r, 'restore --json') as unknown as RestoreJson;
    const target = byPartition(await readTopic(b, restored('stopped')));
    const p0 = target.get(0) ?? [];
    // The source partition starts at offset 0, so restored record k is source offset k: partition
    // 0 holds every record before the damaged block and nothing of it.
    assert.deepEqual(p0.map((x) => x.key), byPartition(source).get(0)!.slice(0, entry.baseOffset).map((x) => x.key), 'partition 0 stops exactly at the damaged block');
    assert.deepEqual(doc.partial.map((p) => [p.target, p.stopped_by, p.records_written, p.next_source_offset]), [[`${restored('stopped')}/0`, 'error', p0.length, p0.length]]);
    assert.deepEqual(doc.complete.map((p) => [p.target, p.records_written]), [
      [`${restored('stopped')}/1`, sizes[1]],
      [`${restored('stopped')}/2`, sizes[2]],
    ]);
    assert.deepEqual(doc.not_started, []);
    for (const p of [1, 2]) assert.equal(target.get(p)?.length, sizes[p], `partition ${p} complete in the target`);

    const text = await runCli(['restore', '-c', cfg]);
    expectExit(text, CORRUPT, ['2 of 3 partitions complete, 1 partial, 0 not started', 'Run the restore again to resume', ...named], 'rerun before the repair (text)');

    writeFileSync(file, original);
    expectExit(await runCli(['restore', '-c', cfg]), 0, [], 'restore after the repair');
    assertSameRecords(source, await readTopic(b, restored('stopped')), 'after a failed restore and a repair: every record exactly once');
  });
});
