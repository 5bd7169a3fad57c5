import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { readBatchHeader, verifyBatchCrc } from '../../src/records/batch.js';
import { kafkaCodecs } from '../../src/records/codecs.js';
import { NON_IDEMPOTENT, needsRebuild, rebuildBatch } from '../../src/records/produce.js';
import { PROVENANCE_HEADER_KEYS, provenanceHeaders, withProvenance } from '../../src/records/provenance.js';
import { type SimpleRecord, buildBatch, buildCompressedBatch, readBack } from './build.js';

const T = 1_700_000_000_000;
const binaryKey = Buffer.from([0xff, 0x00, 0xfe]);

// Offsets 40..45 with 41 and 44 compacted away; own headers with a null value, a duplicate key, a binary key.
const records: SimpleRecord[] = [
  { offset: 40, timestamp: T + 5, key: 'a', value: 'A', headers: [{ key: 'h', value: null }, { key: 'h', value: 'x' }, { key: binaryKey, value: Buffer.from([0]) }] },
  { offset: 42, timestamp: T - 2 ** 33, key: null, value: null },
  { offset: 43, timestamp: T + 1, key: 'c', value: '', headers: [{ key: '', value: '' }] },
  { offset: 45, timestamp: T + 9, key: 'd', value: 'D' },
];

/** The four provenance headers as a consumer decodes them: [key, value] strings. */
const expectedProvenance = (topic: string, partition: number, offset: number, timestamp: number) => [
  ['kafka-backup.source.topic', topic],
  ['kafka-backup.source.partition', String(partition)],
  ['kafka-backup.source.offset', String(offset)],
  ['kafka-backup.source.timestamp', String(timestamp)],
];
const asText = (headers: { key: Buffer; value: Buffer | null }[]) => headers.map((h) => [h.key.toString('utf8'), h.value?.toString('utf8') ?? null]);

describe('provenanceHeaders', () => {
  test('four headers, UTF-8 names and decimal text values, topic names beyond ASCII kept exactly', () => {
    assert.deepEqual([...PROVENANCE_HEADER_KEYS], expectedProvenance('', 0, 0, 0).map(([k]) => k));
    const h = provenanceHeaders('bestellungen-ü.v2', 11)(2 ** 52 + 3, 1_700_000_000_123);
    assert.deepEqual(asText(h), expectedProvenance('bestellungen-ü.v2', 11, 2 ** 52 + 3, 1_700_000_000_123));
    assert.deepEqual(h[0]!.value, Buffer.from('bestellungen-ü.v2', 'utf8'));
    // A negative (unset, -1) timestamp is written as it is stored.
    assert.equal(provenanceHeaders('t', 0)(5, -1)[3]!.value!.toString(), '-1');
  });
});

describe('rebuildBatch with a headers hook', () => {
  test('appends after the record own headers, which keep order, duplicates, binary keys and null values', async () => {
    for (const codec of [0, 1, 4]) {
      const spec = { baseOffset: 40, lastOffsetDelta: 5, records, codec };
      const source = codec === 0 ? buildBatch(spec) : await buildCompressedBatch(spec, kafkaCodecs);
      const before = await readBack(source, kafkaCodecs);
      const out = await rebuildBatch(readBatchHeader(source, 0), source, { stamp: NON_IDEMPOTENT, headers: provenanceHeaders('orders', 3) });
      assert.ok(out);
      assert.ok(verifyBatchCrc(out.bytes));
      assert.equal(readBatchHeader(out.bytes, 0).codec, codec, 'the source codec is kept');
      const after = await readBack(out.bytes, kafkaCodecs);
      assert.equal(after.length, before.length);
      for (const [i, r] of after.entries()) {
        const s = before[i]!;
        assert.deepEqual([r.key, r.value, r.timestamp], [s.key, s.value, s.timestamp], `codec ${codec} record ${i}`);
        assert.deepEqual(r.headers.slice(0, s.headers.length), s.headers, `codec ${codec} record ${i}: own headers first, unchanged`);
        assert.deepEqual(asText(r.headers.slice(s.headers.length)), expectedProvenance('orders', 3, s.offset, s.timestamp));
      }
    }
  });

  test('the hook sees only kept records, with source offset and visible (log-append) timestamp', async () => {
    const appendTime = T + 777;
    const source = buildBatch({ baseOffset: 40, lastOffsetDelta: 5, records, logAppendTime: appendTime });
    const seen: [number, number][] = [];
    const out = await rebuildBatch(readBatchHeader(source, 0), source, {
      stamp: NON_IDEMPOTENT,
      keep: (offset) => offset !== 42,
      headers: (offset, timestamp) => {
        seen.push([offset, timestamp]);
        return provenanceHeaders('t', 0)(offset, timestamp);
      },
    });
    assert.deepEqual(seen, [[40, appendTime], [43, appendTime], [45, appendTime]]);
    assert.deepEqual((await readBack(out!.bytes)).map((r) => asText(r.headers).slice(-2)), [
      [['kafka-backup.source.offset', '40'], ['kafka-backup.source.timestamp', String(appendTime)]],
      [['kafka-backup.source.offset', '43'], ['kafka-backup.source.timestamp', String(appendTime)]],
      [['kafka-backup.source.offset', '45'], ['kafka-backup.source.timestamp', String(appendTime)]],
    ]);
  });
});

describe('withProvenance', () => {
  test('a gap-free batch rebuilt with the headers keeps its source baseOffset, so it can still be merged', async () => {
    const source = buildBatch({ baseOffset: 100, records: records.map((r, i) => ({ ...r, offset: 100 + i })), producerId: 9, producerEpoch: 0, baseSequence: 4 });
    const got = await withProvenance({ header: readBatchHeader(source, 0), bytes: source }, provenanceHeaders('orders', 1));
    assert.deepEqual([got.header.baseOffset, got.header.lastOffset, got.header.recordCount], [100, 103, 4]);
    assert.ok(verifyBatchCrc(got.bytes));
    assert.equal(needsRebuild(got.header, got.bytes), false);
    assert.ok(got.bytes.length > source.length);
    const expected = await readBack(source);
    assert.deepEqual(
      (await readBack(got.bytes)).map((r) => [r.offset, r.timestamp, asText(r.headers).slice(-4)]),
      expected.map((r) => [r.offset, r.timestamp, expectedProvenance('orders', 1, r.offset, r.timestamp)]),
    );
  });
});
