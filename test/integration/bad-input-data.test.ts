// Wrong state a user can run into: a damaged segment, a restore target that already holds data, a
// second backup process for the same backup id. Each is refused with the exit code of its kind and
// a message naming the segment, partition or owner, and nothing is written that a later,
// corrected run cannot build on.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { expectExit, roundTripConfig, runCli, startCli, writeConfig } from './helpers/cli.js';
import { bootstrap, tempDir, unique } from './helpers/env.js';
import { createTopic, endOffsets } from './helpers/kafka-tools.js';
import {
  assertSameRecords,
  byPartition,
  prefixProblems,
  produceKeyed,
  readManifests,
  readTopic,
  sleep,
  statusOf,
  until,
  type TopicRecord,
} from './helpers/invariants.js';

const PROBLEMS = 3;
const CONFLICT = 4;

/** A topic with `count` keyed records, backed up with small segments; returns its config and records. */
async function backedUp(name: string, partitions: number, count: number, extra: { restore?: Record<string, unknown> } = {}) {
  const b = bootstrap();
  const topic = unique(name);
  const id = unique(name);
  const dir = tempDir(name);
  const storagePath = join(dir, 'storage');
  await createTopic(b, topic, partitions);
  await produceKeyed(b, topic, 1, count);
  const config = JSON.parse(
    roundTripConfig({
      backupId: id,
      storagePath,
      bootstrap: b,
      include: [topic],
      mapping: { [topic]: `${topic}-restored` },
      backup: { segment_max_bytes: 65536, block_max_bytes: 16384 },
      ...(extra.restore ? { restore: extra.restore } : {}),
    }),
  );
  config.source.kafka_config = { 'max.partition.fetch.bytes': 16384 };
  const cfg = writeConfig(dir, 'config.yaml', JSON.stringify(config));
  const r = await runCli(['backup', '-c', cfg]);
  assert.equal(r.code, 0, `backup exited ${r.code}:\n${r.stderr}`);
  return { b, topic, restored: `${topic}-restored`, id, dir, storagePath, cfg, config, source: await readTopic(b, topic) };
}

test('a segment with one flipped byte is named by verify, validate-restore and restore; the repaired backup restores exactly', { timeout: 240_000 }, async () => {
  const f = await backedUp('corrupt', 3, 30_000);
  // The second of partition 1's segments: the restore of that partition is cut off midway.
  const segments = readManifests(f.storagePath, f.id).find((m) => m.partition === 1)!.segments;
  assert.ok(segments.length >= 3, `fixture: partition 1 should have several segments, has ${segments.length}`);
  const key = segments[1]!.key;
  const file = join(f.storagePath, key);
  const original = readFileSync(file);
  const damaged = Buffer.from(original);
  const at = Math.floor(original.length / 2);
  damaged[at] = damaged[at]! ^ 0x40;
  writeFileSync(file, damaged);

  expectExit(await runCli(['verify', '--path', f.storagePath, '-b', f.id]), PROBLEMS, ['BACKUP_CORRUPT', key], 'verify');
  expectExit(await runCli(['verify', '--path', f.storagePath, '-b', f.id, '--quick']), 0, [], 'verify --quick (sizes only)');
  expectExit(await runCli(['validate-restore', '-c', f.cfg]), PROBLEMS, ['VALIDATION_FAILED', key], 'validate-restore');

  // The restore fails naming the segment, twice in a row, and leaves only prefixes behind.
  for (const attempt of ['first', 'second']) {
    const r = await runCli(['restore', '-c', f.cfg]);
    expectExit(r, PROBLEMS, ['BACKUP_CORRUPT', key], `${attempt} restore of a damaged backup`);
    const partial = await readTopic(f.b, f.restored);
    assert.deepEqual(prefixProblems(f.source, partial), [], `target after the ${attempt} failed restore`);
    const p1 = byPartition(partial).get(1) ?? [];
    assert.ok(p1.length < byPartition(f.source).get(1)!.length, 'partition 1 stops before the damaged segment ends');
  }

  // Repaired, the same restore resumes and completes: every record once, in order.
  writeFileSync(file, original);
  expectExit(await runCli(['verify', '--path', f.storagePath, '-b', f.id]), 0, ['all intact'], 'verify after the repair');
  const r = await runCli(['restore', '-c', f.cfg]);
  expectExit(r, 0, [], 'restore after the repair');
  assertSameRecords(f.source, await readTopic(f.b, f.restored), 'restore after a failed restore and a repair');
});

test('a restore into partitions that hold data is refused unless restore.allow_append', { timeout: 240_000 }, async () => {
  const f = await backedUp('append', 2, 2_000);
  await createTopic(f.b, f.restored, 2);
  await produceKeyed(f.b, f.restored, 1, 50, 'existing'); // keys k1..k50, values existing1..50
  const existing = await readTopic(f.b, f.restored);
  const before = await endOffsets(f.b, f.restored);

  const refused = await runCli(['restore', '-c', f.cfg]);
  expectExit(refused, CONFLICT, ['RESTORE_CONFLICT', `${f.restored}/0`, `${f.restored}/1`, 'allow_append'], 'restore into a non-empty topic');
  assert.deepEqual(await endOffsets(f.b, f.restored), before, 'a refused restore writes nothing');
  assert.equal(readdirSync(join(f.storagePath, f.id)).includes('restores'), false, 'a refused restore records no restore state');
  expectExit(await runCli(['validate-restore', '-c', f.cfg]), PROBLEMS, [`${f.restored}/0`, 'allow_append'], 'validate-restore');

  f.config.restore.allow_append = true;
  const appendCfg = writeConfig(f.dir, 'append.yaml', JSON.stringify(f.config));
  expectExit(await runCli(['restore', '-c', appendCfg]), 0, [], 'restore with allow_append');
  // Expected: each partition's existing records, then the source partition's records after them.
  const expected: TopicRecord[] = [...existing.map((r) => ({ ...r, key: `old:${r.key}` }))];
  for (const [p, list] of byPartition(f.source)) {
    const offset0 = before.get(p) ?? 0;
    expected.push(...list.map((r, i) => ({ ...r, offset: offset0 + i })));
  }
  // The existing records reuse the keys k1..k50: tell them apart by value for the comparison.
  const target = (await readTopic(f.b, f.restored)).map((r) => (r.value.startsWith('existing') ? { ...r, key: `old:${r.key}` } : r));
  assertSameRecords(expected, target, 'restore appended after existing records');
});

test('a second backup of the same id is refused with BACKUP_IN_USE while the first runs', { timeout: 240_000 }, async () => {
  const f = await backedUp('in-use', 3, 20_000);
  f.config.backup = { ...f.config.backup, mode: 'continuous', poll_interval_ms: 200, segment_max_interval_ms: 500 };
  const continuousCfg = writeConfig(f.dir, 'continuous.yaml', JSON.stringify(f.config));
  const first = startCli(['backup', '-c', continuousCfg]);
  try {
    await until(async () => (await sleep(200), (await statusOf(f.storagePath, f.id)).state === 'running'), { timeoutMs: 60_000, what: 'the first backup to run' });
    for (const [what, cfg] of [['continuous', continuousCfg], ['snapshot', f.cfg]] as const) {
      const second = await runCli(['backup', '-c', cfg]);
      expectExit(second, CONFLICT, ['BACKUP_IN_USE', `"${f.id}"`, `pid ${first.child.pid}`], `a second ${what} backup`);
    }
    await produceKeyed(f.b, f.topic, 20_001, 21_000);
    await until(async () => (await sleep(200), (await statusOf(f.storagePath, f.id)).totals.records === 21_000), { timeoutMs: 60_000, what: 'the first backup to keep going' });
  } finally {
    first.child.kill('SIGTERM');
  }
  const r = await first.done;
  assert.equal(r.code, 0, `the first backup, stopped by SIGTERM, exited ${r.code}:\n${r.stderr}`);
  // Once the owner is gone the backup id is free again.
  expectExit(await runCli(['backup', '-c', f.cfg]), 0, [], 'a backup after the owner stopped');
  assert.equal((await statusOf(f.storagePath, f.id)).state, 'complete');
});
