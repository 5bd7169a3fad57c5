import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { largeSegmentTable, partsOf, storageTable } from './report-storage.js';
import { renderReport, throughputTable } from './report.js';
import type { LargeSegmentMeta, Operation, StepLine, Storage, Variant } from './results.js';

const MIB = 2 ** 20;
const large: LargeSegmentMeta = { segment_max_bytes: 512 * MIB, multipart_threshold: 5 * MIB, multipart_part_size: 5 * MIB, max_concurrent_uploads: 2 };

function step(op: Operation, mibPerS: number, rss: number, more: { storage?: Storage; variant?: Variant; largest?: number } = {}): StepLine {
  const mib = 128;
  return {
    type: 'step', run: 'r', at: '2026-01-01T00:00:00Z', op, tool: op, partitions: 1, payload: 'random', size_pct: 100,
    records: mib * 1024, record_bytes: 1024, mib, wall_s: mib / mibPerS, mib_per_s: mibPerS, records_per_s: (mib * 1024 * mibPerS) / mib,
    peak_rss_mib: rss, self: { seconds: mib / (2 * mibPerS), records_per_s: 0, mib_per_s: 2 * mibPerS, records_per_sec: 1, mb_per_sec: 1, compression_ratio: 1.6 },
    exit_code: 0,
    ...(more.storage ? { storage: more.storage } : {}),
    ...(more.variant ? { variant: more.variant } : {}),
    ...(more.largest === undefined ? {} : { objects: 3, largest_object_bytes: more.largest }),
  };
}

const rowOf = (table: string, ...cells: string[]) =>
  table.split('\n').find((l) => cells.every((c) => l.includes(`| ${c} |`)));

describe('storage tables', () => {
  test('a filesystem-only run has no storage table, and s3 steps stay out of the throughput table', () => {
    const fsOnly = [step('backup', 40, 200), step('restore', 50, 150)];
    assert.equal(storageTable(fsOnly), '');
    const withS3 = [...fsOnly, step('backup', 20, 220, { storage: 's3' }), step('backup', 20, 230, { storage: 's3', variant: 'large-segment', largest: 80 * MIB })];
    assert.equal(throughputTable(withS3.filter((s) => s.storage === undefined)), throughputTable(fsOnly));
    const report = renderReport(undefined, withS3);
    const throughput = report.slice(report.indexOf('#### Throughput'), report.indexOf('#### Storage'));
    assert.equal(throughput.split('\n').filter((l) => l.startsWith('| kafka-backup backup | random')).length, 1, 'one backup row in the throughput table');
    assert.match(report, /#### Memory with segments far larger than the part size/);
    assert.match(report, /\| kafka-backup backup \(s3, large-segment\) \| random \|/, 'labelled in the self-report table');
  });

  test('s3 rows carry MiB/s and peak RSS ratios against filesystem for the same operation', () => {
    const table = storageTable([step('backup', 40, 200), step('restore', 50, 100), step('backup', 20, 300, { storage: 's3' }), step('restore', 25, 110, { storage: 's3' })]);
    assert.match(rowOf(table, 'kafka-backup backup', 's3') ?? '', /\| \*\*0\.50\*\* \| 40\.0 \| 0\.50 \| 300\.0 \| 1\.50 \|$/);
    assert.match(rowOf(table, 'kafka-backup restore', 's3') ?? '', /\| \*\*0\.50\*\* \| 50\.0 \| 0\.50 \| 110\.0 \| 1\.10 \|$/);
    assert.match(rowOf(table, 'kafka-backup backup', 'filesystem') ?? '', /\| 40\.0 \|  \| 80\.0 \|  \| 200\.0 \|  \|$/);
  });

  test('large-segment rows: parts of the largest object, RSS ratio, and too-small objects are marked', () => {
    assert.equal(partsOf(5 * MIB, large), 1);
    assert.equal(partsOf(5 * MIB + 1, large), 2);
    assert.equal(partsOf(78 * MIB, large), 16);
    const steps = [
      step('backup', 40, 200),
      step('backup', 20, 220, { storage: 's3' }),
      step('backup', 35, 180, { variant: 'large-segment', largest: 78 * MIB }),
      step('backup', 18, 198, { storage: 's3', variant: 'large-segment', largest: 78 * MIB }),
    ];
    const table = largeSegmentTable(steps, large);
    assert.match(rowOf(table, 's3') ?? '', /\| 78\.0 \| 16 \| 18\.0 \| 198\.0 \| \*\*1\.10\*\* \| 220\.0 \|$/);
    assert.match(rowOf(table, 'filesystem') ?? '', /\| 78\.0 \|  \| 35\.0 \| 180\.0 \|  \| 200\.0 \|$/);
    const small = largeSegmentTable([step('backup', 18, 198, { storage: 's3', variant: 'large-segment', largest: 20 * MIB })], large);
    assert.match(small, /\| 4 \(too few to test the bound\) \|/);
    assert.match(rowOf(largeSegmentTable(steps, undefined), 's3') ?? '', /\| 78\.0 \|  \| 18\.0 \|/, 'no part count without the settings');
  });
});
