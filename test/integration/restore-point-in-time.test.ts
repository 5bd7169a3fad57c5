// Point-in-time restore (docs/point-in-time.md) against a real broker: records with known, partly
// out-of-order CreateTimes are backed up once, then restored with several time windows and offset
// ranges into new topics. Each target must hold exactly the source records that pass the window and
// the offset range (read back by the independent checker), and validate-restore must report the
// same per-partition counts before the restore runs.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { runCli, roundTripConfig, writeConfig } from './helpers/cli.js';
import { assertSameRecords, dumpWithChecker, produceWithChecker, type CheckerLine, type DumpedRecord } from './helpers/checker.js';
import { bootstrap, tempDir, unique } from './helpers/env.js';
import { ACCEPT_ANY_TIMESTAMP, bytes, pseudoRandom } from './helpers/fixtures.js';
import { createTopic } from './helpers/kafka-tools.js';

const BASE = Date.UTC(2025, 0, 1);
const PARTITIONS = 2;
const GROUPS = 20;
const PER_GROUP = 10;

/** Group g's records lie around BASE + g·10 s, out of order inside the group; every 13th jumps far back. */
function lines(compressionSeed: number): CheckerLine[] {
  const out: CheckerLine[] = [];
  for (let g = 0; g < GROUPS; g++) {
    for (let p = 0; p < PARTITIONS; p++) {
      for (let i = 0; i < PER_GROUP; i++) {
        const n = g * PER_GROUP + i;
        const timestamp = n % 13 === 5 ? BASE + 5_000 : BASE + g * 10_000 + ((i * 7) % 10) * 1000;
        out.push({ partition: p, key: bytes(`p${p}-r${n}`), value: pseudoRandom(compressionSeed + n, 300), headers: [], timestamp });
      }
    }
    out.push({ flush: true });
  }
  return out;
}

interface Case {
  name: string;
  restore: Record<string, unknown>;
  keep: (r: DumpedRecord) => boolean;
}

const inWindow = (r: DumpedRecord, start: number | undefined, end: number | undefined) =>
  (start === undefined || r.timestamp >= start) && (end === undefined || r.timestamp <= end);

const cases: Case[] = [
  {
    name: 'window, ISO-8601 start and epoch end',
    restore: { time_window_start: new Date(BASE + 50_000).toISOString(), time_window_end: BASE + 120_000 },
    keep: (r) => inWindow(r, BASE + 50_000, BASE + 120_000),
  },
  { name: 'start only', restore: { time_window_start: BASE + 150_000 }, keep: (r) => inWindow(r, BASE + 150_000, undefined) },
  { name: 'end only, the far-back records included', restore: { time_window_end: BASE + 5_000 }, keep: (r) => inWindow(r, undefined, BASE + 5_000) },
  {
    name: 'offsets, with a per-partition override',
    restore: { start_offset: 30, end_offset: 150, partition_offsets: { SOURCE: { '1': { start_offset: 100 } } } },
    keep: (r) => r.offset <= 150 && r.offset >= (r.partition === 1 ? 100 : 30),
  },
  {
    name: 'window and offsets together',
    restore: { time_window_start: BASE + 20_000, time_window_end: BASE + 90_000, start_offset: 40, end_offset: 170 },
    keep: (r) => r.offset >= 40 && r.offset <= 170 && inWindow(r, BASE + 20_000, BASE + 90_000),
  },
  { name: 'a window nothing falls in', restore: { time_window_start: BASE + 10_000_000 }, keep: () => false },
];

describe('point-in-time restore', () => {
  test('restores exactly the records in the window and offset range; validate-restore counts them', async () => {
    const b = bootstrap();
    const source = unique('pitr');
    await createTopic(b, source, PARTITIONS, ACCEPT_ANY_TIMESTAMP);
    await produceWithChecker({ bootstrap: b, topic: source }, lines(1));
    await produceWithChecker({ bootstrap: b, topic: source, compression: 'lz4' }, lines(2));
    const all = await dumpWithChecker(b, source);
    assert.equal(all.length, 2 * GROUPS * PER_GROUP * PARTITIONS);

    const dir = tempDir('pitr');
    const backupId = unique('pitr');
    const base = { backupId, storagePath: join(dir, 'storage'), bootstrap: b, include: [source], backup: { block_max_bytes: 4096 } };
    const backup = await runCli(['backup', '-c', writeConfig(dir, 'backup.yaml', roundTripConfig(base))]);
    assert.equal(backup.code, 0, backup.stderr.slice(-4000));

    for (const [k, c] of cases.entries()) {
      const target = `${source}-t${k}`;
      const restore = JSON.parse(JSON.stringify(c.restore).replaceAll('SOURCE', source)) as Record<string, unknown>;
      const config = writeConfig(dir, `restore-${k}.yaml`, roundTripConfig({ ...base, mapping: { [source]: target }, restore }));
      const expected = all.filter(c.keep);

      const validate = await runCli(['validate-restore', '-c', config, '--json']);
      assert.equal(validate.code, 0, `${c.name}: validate-restore\n${validate.stderr.slice(-4000)}`);
      const report = JSON.parse(validate.stdout) as { partitions: { source: string; records: number }[] };
      for (let p = 0; p < PARTITIONS; p++) {
        const row = report.partitions.find((r) => r.source === `${source}/${p}`);
        assert.equal(row?.records, expected.filter((r) => r.partition === p).length, `${c.name}: validate-restore records of partition ${p}`);
      }

      const run = await runCli(['restore', '-c', config]);
      assert.equal(run.code, 0, `${c.name}: restore\n${run.stderr.slice(-4000)}`);
      const got = await dumpWithChecker(b, target);
      assertSameRecords(expected, got, c.name);
    }
    // The cases really cut through the data: neither everything nor, except the last, nothing.
    for (const c of cases.slice(0, -1)) {
      const n = all.filter(c.keep).length;
      assert.ok(n > 0 && n < all.length, `${c.name} keeps ${n} of ${all.length}`);
    }
  });
});
