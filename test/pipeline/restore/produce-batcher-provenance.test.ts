// ProduceBatcher with provenance headers (restore.provenance_headers): every sent record is its
// source record plus the four kafka-backup.source.* headers naming its source offset and visible
// timestamp, on every path (merged, compressed, compaction gaps, log-append, split, resume, filter);
// record counts, skip and source ranges are what they are without the headers.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { attributeBits, readBatchHeader, recordsSection, verifyBatchCrc, type RawBatch } from '../../../src/records/batch.js';
import { kafkaCodecs } from '../../../src/records/codecs.js';
import { batchTimeRange } from '../../../src/records/effective-time.js';
import { provenanceHeaders } from '../../../src/records/provenance.js';
import { MERGE_MAX_BYTES, ProduceBatcher, type OutgoingBatch } from '../../../src/pipeline/restore/produce-batcher.js';
import { recordMatches, timeMatches, type RestoreFilter } from '../../../src/pipeline/restore/filter.js';
import { buildBatch, buildCompressedBatch, buildControlBatch, readBack, sequentialRecords, type VisibleRecord } from '../../records/build.js';

const T = 1_700_000_000_000;
const IDENTITY = { producerId: 4242, producerEpoch: 7 };
const TOPIC = 'orders.eu';
const PARTITION = 5;
const FORBIDDEN_BITS = attributeBits.logAppendTime | attributeBits.transactional | attributeBits.deleteHorizon | attributeBits.control;
const binaryKey = Buffer.from([0xc3, 0x28, 0x00]);

const raw = (bytes: Buffer): RawBatch => ({ header: readBatchHeader(bytes, 0), bytes });

interface Run {
  batchSize: number;
  skip?: number;
  filter?: RestoreFilter;
  provenance?: boolean;
}

/** Feeds the batches through a new batcher (inWindow computed honestly, as the block index would) and flushes it. */
async function runBatcher(batches: Buffer[], run: Run): Promise<OutgoingBatch[]> {
  const headers = run.provenance === false ? undefined : provenanceHeaders(TOPIC, PARTITION);
  const batcher = new ProduceBatcher(IDENTITY, run.batchSize, run.skip ?? 0, run.filter, { provenance: headers });
  const out: OutgoingBatch[] = [];
  for (const b of batches) {
    const h = readBatchHeader(b, 0);
    const range = run.filter && !h.isControl ? await batchTimeRange(h, b) : undefined;
    const inWindow = range !== undefined && timeMatches(run.filter!, range.min) && timeMatches(run.filter!, range.max);
    out.push(...(await batcher.add(raw(b), inWindow)));
  }
  out.push(...batcher.flush());
  return out;
}

/** Data records of the input in order, with their batch's codec. */
async function dataRecords(batches: Buffer[]): Promise<(VisibleRecord & { codec: number })[]> {
  const out: (VisibleRecord & { codec: number })[] = [];
  for (const b of batches) {
    const h = readBatchHeader(b, 0);
    if (h.isControl || h.recordCount === 0) continue;
    for (const r of await readBack(b, kafkaCodecs)) out.push({ ...r, codec: h.codec });
  }
  return out;
}

const offsetsOf = (ranges: { first: number; last: number }[]) =>
  ranges.flatMap((r) => Array.from({ length: r.last - r.first + 1 }, (_, i) => r.first + i));

const provenanceOf = (offset: number, timestamp: number) =>
  [
    ['kafka-backup.source.topic', TOPIC],
    ['kafka-backup.source.partition', String(PARTITION)],
    ['kafka-backup.source.offset', String(offset)],
    ['kafka-backup.source.timestamp', String(timestamp)],
  ].map(([k, v]) => ({ key: Buffer.from(k!), value: Buffer.from(v!) }));

/**
 * Outputs cover exactly the selected records in order (skipped ones first, `skip` of them); each
 * sent batch is produce-ready with the next sequence and at most batchSize records, keeps its
 * source codec, and each of its records is the source record with the four headers appended.
 */
async function checkOutputs(inputs: Buffer[], outputs: OutgoingBatch[], run: Run): Promise<void> {
  const filter = run.filter;
  const records = (await dataRecords(inputs)).filter((r) => !filter || recordMatches(filter, r.offset, r.timestamp));
  const skip = Math.min(run.skip ?? 0, records.length);
  assert.deepEqual(outputs.flatMap((o) => offsetsOf(o.sourceRanges)), records.map((r) => r.offset), 'sourceRanges = selected records');
  assert.equal(outputs.reduce((n, o) => n + o.recordCount, 0), records.length);
  const firstSent = outputs.findIndex((o) => o.bytes !== undefined);
  const skipped = firstSent === -1 ? outputs : outputs.slice(0, firstSent);
  assert.equal(skipped.reduce((n, o) => n + o.recordCount, 0), skip, 'skipped outputs cover `skip` records');

  let index = skip;
  for (const [k, o] of outputs.slice(skipped.length).entries()) {
    const what = `sent output ${k}`;
    assert.ok(o.bytes, `${what}: every output after the first sent one is sent`);
    const h = readBatchHeader(o.bytes, 0);
    assert.ok(verifyBatchCrc(o.bytes), `${what}: CRC`);
    assert.deepEqual([h.baseOffset, h.partitionLeaderEpoch, h.producerId, h.producerEpoch], [0, -1, IDENTITY.producerId, IDENTITY.producerEpoch]);
    assert.equal(h.baseSequence, index - skip, `${what}: baseSequence`);
    assert.equal(h.attributes & FORBIDDEN_BITS, 0, `${what}: attributes`);
    assert.deepEqual([h.recordCount, h.lastOffsetDelta], [o.recordCount, o.recordCount - 1]);
    assert.ok(o.recordCount >= 1 && o.recordCount <= run.batchSize, `${what}: ${o.recordCount} records`);
    const expected = records.slice(index, index + o.recordCount);
    assert.deepEqual(offsetsOf(o.sourceRanges), expected.map((r) => r.offset), `${what}: sourceRanges`);
    assert.equal(h.codec, expected[0]!.codec, `${what}: source codec`);
    const got = await readBack(o.bytes, kafkaCodecs);
    assert.equal(got.length, expected.length);
    for (const [i, r] of got.entries()) {
      const e = expected[i]!;
      assert.deepEqual(
        { key: r.key, value: r.value, timestamp: r.timestamp, headers: r.headers },
        { key: e.key, value: e.value, timestamp: e.timestamp, headers: [...e.headers, ...provenanceOf(e.offset, e.timestamp)] },
        `${what} record ${i} (source offset ${e.offset})`,
      );
    }
    index += o.recordCount;
  }
  assert.equal(index, records.length);
}

/** Every kind of stored batch the batcher tells apart. Data records: 3+2+4+3+3+3+12+7+2+3 = 42. */
async function partition(): Promise<Buffer[]> {
  const rec = (n: number, start: number) => sequentialRecords(n, T + start * 1000);
  return [
    /* plain, merged */ buildBatch({ baseOffset: 0, records: rec(3, 0) }),
    /* own headers */ buildBatch({
      baseOffset: 3,
      records: [
        { timestamp: T + 3000, key: 'b1', value: null, headers: [{ key: 'h', value: 'x' }, { key: 'h', value: null }, { key: binaryKey, value: Buffer.from([0, 1]) }] },
        { timestamp: T + 2500, key: null, value: Buffer.from([0, 1, 2]), headers: [{ key: 'e', value: '' }] },
      ],
    }),
    buildControlBatch({ baseOffset: 5, producerId: 11, type: 'commit' }),
    /* plain */ buildBatch({ baseOffset: 6, records: rec(4, 6) }),
    /* gzip */ await buildCompressedBatch({ baseOffset: 10, codec: 1, records: [...rec(2, 10), { timestamp: T + 12_000, key: 'g', value: null, headers: [{ key: 'd', value: '1' }, { key: 'd', value: '2' }] }] }, kafkaCodecs),
    /* compaction gaps */ buildBatch({
      baseOffset: 13,
      lastOffsetDelta: 5,
      records: [
        { offset: 13, timestamp: T + 13_000, key: 'f13', value: 'a', headers: [{ key: 'k', value: null }] },
        { offset: 15, timestamp: T + 15_000, key: 'f15', value: null },
        { offset: 18, timestamp: T + 14_000, key: 'f18', value: 'c' },
      ],
    }),
    buildBatch({ baseOffset: 19, records: [], lastOffsetDelta: 2 }),
    /* log-append */ buildBatch({ baseOffset: 22, records: rec(3, 22).map((r) => ({ ...r, headers: [{ key: 'la', value: null }] })), logAppendTime: T + 99_000 }),
    /* larger than the batch size */ buildBatch({ baseOffset: 25, records: rec(12, 25) }),
    /* zstd, split */ await buildCompressedBatch({ baseOffset: 37, codec: 4, records: rec(7, 37) }, kafkaCodecs),
    /* transactional */ buildBatch({ baseOffset: 44, records: rec(2, 44), transactional: true, producerId: 12, producerEpoch: 0, baseSequence: 0 }),
    buildControlBatch({ baseOffset: 46, producerId: 12, type: 'abort' }),
    /* out of order, delete horizon */ buildBatch({ baseOffset: 47, records: [{ timestamp: T + 60_000, key: null, value: null }, { timestamp: T + 40_000, key: '', value: '' }, { timestamp: T + 50_000, key: 'm', value: 'late' }], deleteHorizon: T + 500_000 }),
  ];
}
const TOTAL = 42;

describe('ProduceBatcher with provenance headers', () => {
  test('every path: merged, compressed (gzip, zstd), compaction gaps, log-append, split; small batches still merged', async () => {
    const inputs = await partition();
    const outputs = await runBatcher(inputs, { batchSize: 5 });
    // The same grouping as without headers: small uncompressed batches are merged once rebuilt.
    assert.deepEqual(outputs.map((o) => o.recordCount), [5, 4, 3, 3, 3, 5, 5, 2, 5, 2, 5]);
    assert.deepEqual(outputs.map((o) => readBatchHeader(o.bytes!, 0).codec), [0, 0, 1, 0, 0, 0, 0, 0, 4, 4, 0]);
    await checkOutputs(inputs, outputs, { batchSize: 5 });
    for (const batchSize of [1, 3, 1000]) await checkOutputs(inputs, await runBatcher(inputs, { batchSize }), { batchSize });
  });

  test('resume: every skip keeps counts and source ranges exact, and sent records carry the headers', async () => {
    const inputs = await partition();
    for (let skip = 0; skip <= TOTAL + 2; skip++) {
      for (const batchSize of [1, 5, 1000]) await checkOutputs(inputs, await runBatcher(inputs, { batchSize, skip }), { batchSize, skip });
    }
  });

  test('point-in-time filters, alone and with a skip: offsets in the headers are source offsets', async () => {
    const inputs = await partition();
    const filters: RestoreFilter[] = [
      { startTime: T + 2_600, endTime: T + 45_000 },
      { startOffset: 4, endOffset: 40 },
      { startOffset: 11, startTime: T + 14_000 },
      { endTime: T + 3_000 },
    ];
    for (const filter of filters) {
      for (const skip of [0, 1, 4, 9]) {
        for (const batchSize of [2, 5, 1000]) await checkOutputs(inputs, await runBatcher(inputs, { batchSize, skip, filter }), { batchSize, skip, filter });
      }
    }
  });

  test('merging counts the rebuilt (larger) bytes against MERGE_MAX_BYTES', async () => {
    // Three of these batches fit under MERGE_MAX_BYTES as stored (3 × 333,274 bytes), but not
    // once each carries its headers (3 × 333,415).
    const value = Buffer.alloc(333_200, 3);
    const inputs = Array.from({ length: 6 }, (_, i) => buildBatch({ baseOffset: i, records: [{ timestamp: T + i, key: `k${i}`, value }] }));
    assert.deepEqual((await runBatcher(inputs, { batchSize: 1000, provenance: false })).map((o) => o.recordCount), [3, 3]);
    const outputs = await runBatcher(inputs, { batchSize: 1000 });
    assert.deepEqual(outputs.map((o) => o.recordCount), [2, 2, 2]);
    for (const o of outputs) assert.ok(o.bytes!.length < MERGE_MAX_BYTES, `${o.bytes!.length} bytes`);
    await checkOutputs(inputs, outputs, { batchSize: 1000 });
  });

  test('off (the default): records pass through byte for byte, no header added', async () => {
    const inputs = await partition();
    const outputs = await runBatcher(inputs, { batchSize: 5, provenance: false });
    const sections = outputs.map((o) => recordsSection(o.bytes!));
    // Passed through as stored: the plain batch (output 1) and the gzip batch's compressed bytes (output 2).
    assert.deepEqual(sections[2], recordsSection(inputs[4]!), 'gzip batch: the stored compressed bytes');
    assert.deepEqual(sections[1], recordsSection(inputs[3]!), 'plain batch: the stored records bytes');
    for (const o of outputs) {
      for (const r of await readBack(o.bytes!, kafkaCodecs)) {
        assert.ok(r.headers.every((h) => !h.key.toString().startsWith('kafka-backup.')), 'no provenance header');
      }
    }
  });
});
