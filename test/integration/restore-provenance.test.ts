// restore.provenance_headers against the real broker: a multi-partition topic with every field
// variety (headers with duplicates, null values and non-ASCII names, null keys and values,
// tombstones, timestamps over decades; plain and zstd batches) and a LogAppendTime topic are backed
// up, then restored with provenance headers into mapped topics. Read back by the independent
// checker (librdkafka), every target record must be its source record with the four
// kafka-backup.source.* headers appended, naming the source topic, partition, offset and timestamp.
// A restore with a time window shows the offset header is the source offset, not a position.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { runCli, roundTripConfig, writeConfig } from './helpers/cli.js';
import { assertDenseOffsets, assertSameRecords, dumpWithChecker, produceWithChecker, type CheckerLine, type DumpedRecord } from './helpers/checker.js';
import { bootstrap, tempDir, unique } from './helpers/env.js';
import { ACCEPT_ANY_TIMESTAMP, SPREAD_TIMESTAMPS, bytes, fieldVariety } from './helpers/fixtures.js';
import { createTopic } from './helpers/kafka-tools.js';

const PARTITIONS = 3;

/** The source record as the target must hold it: its own headers, then the four provenance headers. */
function withProvenance(r: DumpedRecord, sourceTopic: string): DumpedRecord {
  return {
    ...r,
    timestampType: 'create',
    headers: [
      ...r.headers,
      ['kafka-backup.source.topic', bytes(sourceTopic)],
      ['kafka-backup.source.partition', bytes(String(r.partition))],
      ['kafka-backup.source.offset', bytes(String(r.offset))],
      ['kafka-backup.source.timestamp', bytes(String(r.timestamp))],
    ],
  };
}

/** The value of the last header named `name`, as a number parsed from its decimal text. */
function headerNumber(r: DumpedRecord, name: string): number {
  const h = r.headers.filter(([n]) => n === name).at(-1);
  assert.ok(h?.[1], `record ${r.partition}/${r.offset} has a ${name} header`);
  assert.match(h[1].toString('utf8'), /^-?\d+$/);
  return Number(h[1].toString('utf8'));
}

interface ValidateJson {
  provenance_headers: boolean;
  partitions: { source: string; records: number }[];
}

describe('restore with provenance headers', () => {
  test('every record is its source record plus topic, partition, offset and timestamp headers', async () => {
    const b = bootstrap();
    const source = unique('prov');
    const lat = `${source}-lat`;
    await createTopic(b, source, PARTITIONS, ACCEPT_ANY_TIMESTAMP);
    await createTopic(b, lat, 2, { 'message.timestamp.type': 'LogAppendTime' });
    const variety = fieldVariety(PARTITIONS, 20);
    await produceWithChecker({ bootstrap: b, topic: source }, variety);
    await produceWithChecker({ bootstrap: b, topic: source, compression: 'zstd' }, variety);
    const tombstones: CheckerLine[] = [0, 1, 2].map((p) => ({ partition: p, key: bytes(`gone-${p}`), value: null, headers: [['why', null]], timestamp: SPREAD_TIMESTAMPS.y2025 + p }));
    await produceWithChecker({ bootstrap: b, topic: source, compression: 'gzip' }, tombstones);
    await produceWithChecker(
      { bootstrap: b, topic: lat },
      Array.from({ length: 10 }, (_, i) => ({ partition: i % 2, key: bytes(`l${i}`), value: i === 3 ? null : bytes(`v${i}`), headers: [['h', bytes('1')], ['h', null]] })),
    );
    const all = await dumpWithChecker(b, source);
    const allLat = await dumpWithChecker(b, lat);
    assert.equal(all.length, 2 * variety.filter((l) => 'partition' in l).length + 3);
    assert.ok(all.some((r) => r.key !== null && r.value === null), 'the source holds tombstones');
    assert.ok(allLat.every((r) => r.timestampType === 'log_append'));

    const dir = tempDir('prov');
    const base = { backupId: unique('prov'), storagePath: join(dir, 'storage'), bootstrap: b, include: [source, lat], backup: { block_max_bytes: 8192 } };
    const backup = await runCli(['backup', '-c', writeConfig(dir, 'backup.yaml', roundTripConfig(base))]);
    assert.equal(backup.code, 0, backup.stderr.slice(-4000));

    // validate-restore says whether the headers will be added: off by default, on when asked.
    const off = writeConfig(dir, 'off.yaml', roundTripConfig({ ...base, mapping: { [source]: `${source}-off` }, restore: { topics: { include: [source] } } }));
    const offReport = await runCli(['validate-restore', '-c', off, '--json']);
    assert.equal(offReport.code, 0, offReport.stderr.slice(-4000));
    assert.equal((JSON.parse(offReport.stdout) as ValidateJson).provenance_headers, false);

    const full = writeConfig(dir, 'full.yaml', roundTripConfig({ ...base, mapping: { [source]: `${source}-p`, [lat]: `${lat}-p` }, restore: { provenance_headers: true } }));
    const fullReport = await runCli(['validate-restore', '-c', full, '--json']);
    assert.equal(fullReport.code, 0, fullReport.stderr.slice(-4000));
    assert.equal((JSON.parse(fullReport.stdout) as ValidateJson).provenance_headers, true);
    const human = await runCli(['validate-restore', '-c', full]);
    assert.match(human.stdout, /Provenance headers: every record gets kafka-backup\.source\.topic, kafka-backup\.source\.partition, kafka-backup\.source\.offset, kafka-backup\.source\.timestamp/);

    const run = await runCli(['restore', '-c', full]);
    assert.equal(run.code, 0, run.stderr.slice(-4000));
    const got = await dumpWithChecker(b, `${source}-p`);
    assertSameRecords(all.map((r) => withProvenance(r, source)), got, 'full restore');
    assertDenseOffsets(got);
    const gotLat = await dumpWithChecker(b, `${lat}-p`);
    // The timestamp header of a LogAppendTime record is its append time, as the source's consumers saw it.
    assertSameRecords(allLat.map((r) => withProvenance(r, lat)), gotLat, 'LogAppendTime topic');

    // A time window: the offset header names the source offset, which is not the target position.
    const [start, end] = [SPREAD_TIMESTAMPS.y2001, SPREAD_TIMESTAMPS.y2025];
    const windowed = writeConfig(
      dir,
      'window.yaml',
      roundTripConfig({ ...base, mapping: { [source]: `${source}-w` }, restore: { topics: { include: [source] }, provenance_headers: true, time_window_start: start, time_window_end: end } }),
    );
    const expected = all.filter((r) => r.timestamp >= start && r.timestamp <= end);
    assert.ok(expected.length > 0 && expected.length < all.length, `the window keeps ${expected.length} of ${all.length}`);
    const report = JSON.parse((await runCli(['validate-restore', '-c', windowed, '--json'])).stdout) as ValidateJson;
    assert.equal(report.provenance_headers, true);
    assert.equal(report.partitions.reduce((n, p) => n + p.records, 0), expected.length, 'validate-restore counts the window');
    const runW = await runCli(['restore', '-c', windowed]);
    assert.equal(runW.code, 0, runW.stderr.slice(-4000));
    const gotW = await dumpWithChecker(b, `${source}-w`);
    assertSameRecords(expected.map((r) => withProvenance(r, source)), gotW, 'windowed restore');
    const moved = gotW.filter((r) => headerNumber(r, 'kafka-backup.source.offset') !== r.offset);
    assert.ok(moved.length > gotW.length / 2, `${moved.length} of ${gotW.length} restored records sit at another offset than their source's`);
    for (const r of gotW) {
      assert.equal(headerNumber(r, 'kafka-backup.source.partition'), r.partition);
      assert.equal(headerNumber(r, 'kafka-backup.source.timestamp'), r.timestamp);
    }
  });
});
