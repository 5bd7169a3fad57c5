// A restore SIGKILLed at any moment (before its first produce, with batches in flight, right after
// a checkpoint) leaves each target partition holding a prefix of the source partition, and a rerun
// continues exactly after it: the target ends with every record once, in order. A rerun after
// completion writes nothing. docs/format.md, "Restore state".
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { roundTripConfig, runCli, writeConfig } from './helpers/cli.js';
import { endOffsets } from './helpers/kafka-tools.js';
import {
  assertDenseOffsets,
  assertSameRecords,
  byPartition,
  kcatEndOffsets,
  killAt,
  prefixProblems,
  readTopic,
  sleep,
  statusOf,
  until,
} from './helpers/invariants.js';
import { crashFixture } from './helpers/crash-fixture.js';

const TOTAL = 200_000;
const PARTITIONS = 3;

test('a restore SIGKILLed at many points resumes to exactly one copy', { timeout: 300_000 }, async () => {
  const fx = await crashFixture('resume-restore', TOTAL, PARTITIONS);
  const { bootstrap: b, topic, restored, backupId: id, dir, storagePath, source, log, phase } = fx;

  const config = JSON.parse(
    roundTripConfig({
      backupId: id,
      storagePath,
      bootstrap: b,
      include: [topic],
      mapping: { [topic]: restored },
      backup: { segment_max_bytes: 65536, block_max_bytes: 16384 },
      // Small produce batches, one in flight, frequent checkpoints: a slow restore with many
      // moments to be killed at, resumes that start mid-segment.
      restore: { produce_batch_size: 100, checkpoint_interval_secs: 1 },
    }),
  );
  config.source.kafka_config = { 'max.partition.fetch.bytes': 16384 };
  config.target.kafka_config = { 'max.in.flight.requests.per.connection': 1 };
  const cfg = writeConfig(dir, 'config.yaml', JSON.stringify(config));
  const backup = await runCli(['backup', '-c', cfg]);
  assert.equal(backup.code, 0, `backup exited ${backup.code}:\n${backup.stderr}`);
  phase('backed up');

  const statesDir = join(storagePath, id, 'restores');
  const stateFiles = (): string[] => {
    try {
      return readdirSync(statesDir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.json')).map((f) => join(statesDir, f));
    } catch {
      return [];
    }
  };
  const stateStamp = () => stateFiles().map((f) => statSync(f, { throwIfNoEntry: false })?.mtimeMs).join(',');
  const written = async () => (await kcatEndOffsets(b, restored, PARTITIONS).catch(() => [0])).reduce((n, o) => n + Math.max(o, 0), 0);

  const targetGrew = async (exited: AbortSignal) => {
    const before = await written();
    await until(async () => (await sleep(20), (await written()) > before), { signal: exited, what: 'records in the target' });
  };
  // Progress-based points land mid-run however fast the restore is.
  const targetHolds = (share: number) => (exited: AbortSignal) =>
    until(async () => (await sleep(20), (await written()) >= share * TOTAL), { signal: exited, what: `${share * TOTAL} records in the target` });
  const afterCheckpoint = async (exited: AbortSignal) => {
    const before = stateStamp();
    await until(() => stateStamp() !== before, { signal: exited, what: 'a checkpoint' });
  };
  const points: { label: string; wait: (exited: AbortSignal) => Promise<void> }[] = [
    { label: 'first restore state on disk', wait: (exited) => until(() => stateFiles().length > 0, { signal: exited, what: 'a restore state' }) },
    { label: '300 ms', wait: () => sleep(300) },
    { label: 'once the target grew', wait: targetGrew },
    { label: 'at 25% restored', wait: targetHolds(0.25) },
    { label: 'at 50% restored', wait: targetHolds(0.5) },
    // On a fast machine the points below may see the restore finish: that ends the kills.
    { label: '800 ms', wait: () => sleep(800) },
    { label: 'at 75% restored', wait: targetHolds(0.75) },
    { label: 'right after a checkpoint', wait: afterCheckpoint },
    { label: '1.5 s', wait: () => sleep(1500) },
  ];
  let kills = 0;
  let midRunKills = 0;
  let finished = false;
  for (const point of points) {
    const t0 = Date.now();
    const { killed, result } = await killAt(['restore', '-c', cfg], point.wait);
    if (!killed) {
      assert.equal(result.code, 0, `restore run (${point.label}) ended on its own, not with success:\n${result.stderr}`);
      log.push(`${point.label}: finished after ${Date.now() - t0} ms`);
      finished = true;
      break;
    }
    kills++;
    // What a killed restore leaves: a prefix of every partition, nothing doubled or skipped.
    const partial = await readTopic(b, restored).catch(() => []);
    log.push(`${point.label}: killed after ${Date.now() - t0} ms with ${partial.length} records in the target`);
    assert.deepEqual(prefixProblems(source, partial), [], `target after the kill at ${point.label}`);
    if (partial.length > 0 && partial.length < TOTAL) midRunKills++;
  }
  assert.ok(kills >= 4, `expected at least 4 runs killed, got ${kills}:\n${log.join('\n')}`);
  assert.ok(midRunKills >= 3, `expected at least 3 kills with part of the data restored, got ${midRunKills}:\n${log.join('\n')}`);
  phase('kills done');

  if (!finished) {
    const r = await runCli(['restore', '-c', cfg]);
    assert.equal(r.code, 0, `final restore exited ${r.code}:\n${r.stderr}`);
  }
  phase('restore complete');
  const target = await readTopic(b, restored);
  assertSameRecords(source, target, `restore killed ${kills} times`);
  assertDenseOffsets(target, 'restored topic');

  // Each partition's restore state is complete, counts every record, and maps source offsets
  // 0..n-1 onto target offsets 0..n-1 as one run (the source has no transaction markers).
  const counts = new Map([...byPartition(source)].map(([p, list]) => [p, list.length]));
  for (const f of stateFiles()) {
    const s = JSON.parse(readFileSync(f, 'utf8')) as { target_partition: number; state: string; records_written: number; offset_map: number[][]; target_start_offset: number };
    const n = counts.get(s.target_partition)!;
    assert.equal(s.state, 'complete', f);
    assert.equal(s.records_written, n, `${f}: records_written`);
    assert.equal(s.target_start_offset, 0, `${f}: target_start_offset`);
    assert.deepEqual(s.offset_map, [[0, n - 1, 0]], `${f}: offset_map`);
  }
  assert.equal(stateFiles().length, PARTITIONS);

  // A rerun after completion writes nothing and succeeds.
  const before = await endOffsets(b, restored);
  const again = await runCli(['restore', '-c', cfg]);
  assert.equal(again.code, 0, `restore rerun after completion exited ${again.code}:\n${again.stderr}`);
  assert.deepEqual(await endOffsets(b, restored), before, 'end offsets after a rerun of a complete restore');

  const status = await statusOf(storagePath, id);
  assert.deepEqual(
    status.restores.map((r) => [r.target_topic, r.target_partition, r.state, r.records_written]).sort(),
    [...counts].map(([p, n]) => [restored, p, 'complete', n]).sort(),
    'status lists every restored partition as complete',
  );
  phase('checked');
  process.stderr.write(`resume-restore: ${log.join('; ')}\n`);
});
