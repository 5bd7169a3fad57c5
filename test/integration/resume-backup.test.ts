// A backup killed with SIGKILL at any moment (while connecting, right after a commit, mid-segment)
// leaves only complete committed state behind, and reruns finish the job: the restored topic then
// holds every source record exactly once, in order. docs/format.md, "Read and write ordering".
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { roundTripConfig, runCli, writeConfig } from './helpers/cli.js';
import {
  assertDenseOffsets,
  assertSameRecords,
  assertVerifies,
  committedRecords,
  committedStateProblems,
  killAt,
  readManifestFiles,
  readManifests,
  readTopic,
  sleep,
  statusOf,
  until,
} from './helpers/invariants.js';
import { crashFixture } from './helpers/crash-fixture.js';

const TOTAL = 200_000;
const PARTITIONS = 3;

test('a backup SIGKILLed at many points resumes to an exact copy', { timeout: 300_000 }, async () => {
  const fx = await crashFixture('resume-backup', TOTAL, PARTITIONS);
  const { bootstrap: b, topic, restored, backupId: id, dir, storagePath, source, log, phase } = fx;

  const config = JSON.parse(
    roundTripConfig({
      backupId: id,
      storagePath,
      bootstrap: b,
      include: [topic],
      mapping: { [topic]: restored },
      // Small segments and fetches: dozens of commits per partition, so kills land between them.
      backup: { segment_max_bytes: 65536, block_max_bytes: 16384, checkpoint_interval_secs: 1 },
    }),
  );
  config.source.kafka_config = { 'max.partition.fetch.bytes': 16384 };
  const cfg = writeConfig(dir, 'backup.yaml', JSON.stringify(config));
  const committed = () => committedRecords(readManifests(storagePath, id));
  // Polls file stats, not contents: the poller must not starve the backup of CPU.
  const manifestStamp = () => readManifestFiles(storagePath, id).map((f) => statSync(f, { throwIfNoEntry: false })?.mtimeMs).join(',');
  const afterNextCommit = async (exited: AbortSignal) => {
    const before = manifestStamp();
    await until(() => manifestStamp() !== before && committed() > 0, { signal: exited, what: 'a commit' });
  };

  const points: { label: string; wait: (exited: AbortSignal) => Promise<void> }[] = [
    { label: 'first manifest on disk', wait: (exited) => until(() => readManifestFiles(storagePath, id).length > 0, { signal: exited, what: 'a manifest' }) },
    { label: '150 ms', wait: () => sleep(150) },
    { label: '400 ms', wait: () => sleep(400) },
    { label: 'right after a commit', wait: afterNextCommit },
    { label: 'right after a commit', wait: afterNextCommit },
    { label: '700 ms', wait: () => sleep(700) },
    { label: 'right after a commit', wait: afterNextCommit },
    { label: '1 s', wait: () => sleep(1000) },
  ];
  let midRunKills = 0;
  let kills = 0;
  let finishedEarly = false;
  let prevNext = new Map<string, number>();
  for (const point of points) {
    const t0 = Date.now();
    const { killed, result } = await killAt(['backup', '-c', cfg], point.wait);
    const progress = committed();
    log.push(`${point.label}: ${killed ? 'killed' : `exited ${result.code}`} after ${Date.now() - t0} ms, ${progress} records committed`);
    if (!killed) {
      assert.equal(result.code, 0, `backup run (${point.label}) ended on its own, not with success:\n${result.stderr}`);
      finishedEarly = true;
      break; // the backup is complete: nothing left to interrupt
    }
    kills++;
    if (progress > 0 && progress < TOTAL) midRunKills++;

    // A killed run never leaves a corrupt committed state, and never moves backwards.
    assert.deepEqual(committedStateProblems(storagePath, id), [], `after the kill at ${point.label}`);
    const next = new Map(readManifests(storagePath, id).map((m) => [`${m.topic}/${m.partition}`, m.next_offset]));
    for (const [p, o] of prevNext) assert.ok((next.get(p) ?? -1) >= o, `${p}: next_offset went back from ${o} to ${next.get(p)} (kill at ${point.label})`);
    prevNext = next;
    if (existsSync(join(storagePath, id, 'backup.json'))) {
      const [, s] = await Promise.all([assertVerifies(storagePath, id, `after the kill at ${point.label}`), statusOf(storagePath, id)]);
      assert.equal(s.state, 'interrupted', `status right after the kill at ${point.label} (the owner pid is dead)`);
    }
  }
  assert.ok(kills >= 4, `expected at least 4 runs killed, got ${kills}:\n${log.join('\n')}`);
  assert.ok(midRunKills >= 2, `expected at least 2 kills with part of the data committed, got ${midRunKills}:\n${log.join('\n')}`);

  phase('kills done');
  // The last run finishes; a run after it finds nothing to do and still succeeds.
  for (const when of ['final run', 'rerun after completion']) {
    const r = await runCli(['backup', '-c', cfg]);
    assert.equal(r.code, 0, `${when} exited ${r.code}:\n${r.stderr}`);
  }
  assert.deepEqual(committedStateProblems(storagePath, id), []);
  await assertVerifies(storagePath, id, 'at the end');
  const status = await statusOf(storagePath, id);
  assert.equal(status.state, 'complete');
  assert.equal(status.totals.records, TOTAL, 'status counts every source record once');
  const ends = new Map<number, number>();
  for (const r of source) ends.set(r.partition, Math.max(ends.get(r.partition) ?? 0, r.offset + 1));
  for (const p of status.partitions) assert.equal(p.next_offset, ends.get(p.partition), `${p.topic}/${p.partition} next_offset`);

  // Every killed run that had claimed the backup is recorded as interrupted; none stays "running".
  const descriptor = JSON.parse(readFileSync(join(storagePath, id, 'backup.json'), 'utf8')) as { runs: { result: string }[] };
  const results = descriptor.runs.map((r) => r.result);
  const completes = finishedEarly ? 3 : 2;
  assert.deepEqual(results.slice(-completes), new Array(completes).fill('complete'), `run history: ${results.join(', ')}`);
  const interrupted = results.slice(0, -completes);
  assert.ok(interrupted.every((r) => r === 'interrupted') && interrupted.length <= kills, `run history: ${results.join(', ')}`);

  phase('backup complete');
  const r = await runCli(['restore', '-c', cfg]);
  assert.equal(r.code, 0, `restore exited ${r.code}:\n${r.stderr}`);
  phase('restore complete');
  const target = await readTopic(b, restored);
  assertSameRecords(source, target, `restore of a backup killed ${kills} times`);
  assertDenseOffsets(target, 'restored topic');
  phase('compared');
  process.stderr.write(`resume-backup: ${log.join('; ')}\n`);
});
