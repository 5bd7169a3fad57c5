import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { attributeBits, LOG_OVERHEAD, readBatchHeader, verifyBatchCrc, type RawBatch } from '../../../src/records/batch.js';
import { MERGE_MAX_BYTES, ProduceBatcher, type OutgoingBatch } from '../../../src/pipeline/restore/produce-batcher.js';
import { buildBatch, buildCompressedBatch, buildControlBatch, readBack, sequentialRecords, type VisibleRecord } from '../../records/build.js';

const T = 1_700_000_000_000;
const IDENTITY = { producerId: 4242, producerEpoch: 7 };
const FORBIDDEN_BITS = attributeBits.logAppendTime | attributeBits.transactional | attributeBits.deleteHorizon | attributeBits.control;

const raw = (bytes: Buffer): RawBatch => ({ header: readBatchHeader(bytes, 0), bytes });

/** Feeds the batches through a new batcher and flushes it; returns every output in order. */
async function runBatcher(batches: Buffer[], batchSize: number, skip = 0): Promise<OutgoingBatch[]> {
  const batcher = new ProduceBatcher(IDENTITY, batchSize, skip);
  const out: OutgoingBatch[] = [];
  for (const b of batches) out.push(...(await batcher.add(raw(b))));
  out.push(...batcher.flush());
  return out;
}

interface SourceRecord extends VisibleRecord {
  codec: number;
}

/** The records a restore must produce: those of every non-control, non-empty batch, in order. */
async function dataRecords(batches: Buffer[]): Promise<SourceRecord[]> {
  const out: SourceRecord[] = [];
  for (const b of batches) {
    const h = readBatchHeader(b, 0);
    if (h.isControl || h.recordCount === 0) continue;
    for (const r of await readBack(b)) out.push({ ...r, codec: h.codec });
  }
  return out;
}

const offsetsOf = (ranges: { first: number; last: number }[]) =>
  ranges.flatMap((r) => Array.from({ length: r.last - r.first + 1 }, (_, i) => r.first + i));

/**
 * The invariants every batcher output sequence must satisfy: skipped (unsent) outputs come first
 * and cover exactly the first `skip` records; sourceRanges together list every data record's
 * offset in order; each sent batch decodes to exactly its source records, is stamped for produce
 * and carries sequence numbers counting only the records sent before it.
 */
async function checkOutputs(inputs: Buffer[], outputs: OutgoingBatch[], batchSize: number, skip: number): Promise<void> {
  const records = await dataRecords(inputs);
  assert.equal(
    outputs.reduce((n, o) => n + o.recordCount, 0),
    records.length,
    'recordCount over all outputs = data records',
  );
  const allOffsets = outputs.flatMap((o) => offsetsOf(o.sourceRanges));
  assert.deepEqual(allOffsets, records.map((r) => r.offset), 'sourceRanges list every data record in order');

  const firstSent = outputs.findIndex((o) => o.bytes !== undefined);
  const skipped = firstSent === -1 ? outputs : outputs.slice(0, firstSent);
  assert.ok(
    outputs.slice(skipped.length).every((o) => o.bytes !== undefined),
    'skipped outputs all come before the first sent one',
  );
  assert.equal(skipped.reduce((n, o) => n + o.recordCount, 0), Math.min(skip, records.length), 'skipped outputs cover exactly `skip` records');

  let index = skipped.reduce((n, o) => n + o.recordCount, 0);
  let sequence = 0;
  for (const [k, o] of outputs.slice(skipped.length).entries()) {
    const what = `sent output ${k}`;
    const bytes = o.bytes!;
    const h = readBatchHeader(bytes, 0);
    assert.equal(bytes.length, LOG_OVERHEAD + h.batchLength, `${what}: length`);
    assert.ok(verifyBatchCrc(bytes), `${what}: CRC`);
    assert.equal(h.baseOffset, 0, `${what}: baseOffset`);
    assert.equal(h.partitionLeaderEpoch, -1, `${what}: partitionLeaderEpoch`);
    assert.equal(h.producerId, IDENTITY.producerId, `${what}: producerId`);
    assert.equal(h.producerEpoch, IDENTITY.producerEpoch, `${what}: producerEpoch`);
    assert.equal(h.baseSequence, sequence, `${what}: baseSequence = records sent before it`);
    assert.equal(h.attributes & FORBIDDEN_BITS, 0, `${what}: attributes ${h.attributes}`);
    assert.equal(h.recordCount, o.recordCount, `${what}: recordCount`);
    assert.equal(h.lastOffsetDelta, o.recordCount - 1, `${what}: contiguous offsets`);
    assert.ok(o.recordCount >= 1 && o.recordCount <= batchSize, `${what}: ${o.recordCount} records, batch size ${batchSize}`);
    assert.equal(offsetsOf(o.sourceRanges).length, o.recordCount, `${what}: sourceRanges size`);

    const expected = records.slice(index, index + o.recordCount);
    const got = await readBack(bytes);
    assert.equal(got.length, expected.length, `${what}: decoded record count`);
    assert.equal(h.codec, expected[0]!.codec, `${what}: codec of its source`);
    assert.equal(h.maxTimestamp, Math.max(...expected.map((r) => r.timestamp)), `${what}: maxTimestamp`);
    for (const [i, r] of got.entries()) {
      const e = expected[i]!;
      assert.equal(r.offset, i, `${what} record ${i}: offset delta`);
      assert.equal(r.timestamp, e.timestamp, `${what} record ${i}: timestamp`);
      assert.deepEqual(r.key, e.key, `${what} record ${i}: key`);
      assert.deepEqual(r.value, e.value, `${what} record ${i}: value`);
      assert.deepEqual(r.headers, e.headers, `${what} record ${i}: headers`);
    }
    index += o.recordCount;
    sequence += o.recordCount;
  }
  assert.equal(index, records.length);
}

/**
 * A partition's stored batches covering every kind the batcher distinguishes. With batch size 5
 * the expected outputs are: [A+B merged 5] [D 4] [E gzip 3] [F rebuilt 3] [H rebuilt 3]
 * [I split 5,5,2] [J gzip split 5,2] [K+M merged 5] [N 2].
 */
async function mixedPartition(): Promise<Buffer[]> {
  const rec = (n: number, start: number) => sequentialRecords(n, T + start * 1000);
  return [
    /* A */ buildBatch({ baseOffset: 0, records: rec(3, 0), producerId: 11, producerEpoch: 1, baseSequence: 0 }),
    /* B */ buildBatch({
      baseOffset: 3,
      records: [
        { timestamp: T + 3000, key: 'b1', value: 'v', headers: [{ key: 'h', value: 'x' }, { key: 'h', value: null }] },
        { timestamp: T + 3500, key: null, value: Buffer.from([0, 1, 2]), headers: [{ key: 'e', value: '' }] },
      ],
    }),
    /* C */ buildControlBatch({ baseOffset: 5, producerId: 11, type: 'commit' }),
    /* D */ buildBatch({ baseOffset: 6, records: rec(4, 6) }),
    /* E */ await buildCompressedBatch({ baseOffset: 10, codec: 1, records: rec(3, 10) }),
    /* F */ buildBatch({
      baseOffset: 13,
      lastOffsetDelta: 5,
      records: [
        { offset: 13, timestamp: T + 13_000, key: 'f13', value: 'a' },
        { offset: 15, timestamp: T + 15_000, key: 'f15', value: null },
        { offset: 18, timestamp: T + 14_000, key: 'f18', value: 'c' },
      ],
    }),
    /* G */ buildBatch({ baseOffset: 19, records: [], lastOffsetDelta: 2 }),
    /* H */ buildBatch({ baseOffset: 22, records: rec(3, 22), logAppendTime: T + 99_000 }),
    /* I */ buildBatch({ baseOffset: 25, records: rec(12, 25) }),
    /* J */ await buildCompressedBatch({ baseOffset: 37, codec: 1, records: rec(7, 37) }),
    /* K */ buildBatch({ baseOffset: 44, records: rec(2, 44), transactional: true, producerId: 12, producerEpoch: 0, baseSequence: 0 }),
    /* L */ buildControlBatch({ baseOffset: 46, producerId: 12, type: 'abort' }),
    /* M */ buildBatch({
      baseOffset: 47,
      records: [
        { timestamp: T + 60_000, key: null, value: null },
        { timestamp: T + 40_000, key: '', value: '' },
        { timestamp: T + 50_000, key: 'm', value: 'late' },
      ],
    }),
    /* N */ buildBatch({ baseOffset: 50, records: rec(2, 50), deleteHorizon: T + 500_000 }),
  ];
}
const MIXED_TOTAL = 44;

describe('ProduceBatcher: batching', () => {
  test('mixed partition: control and empty batches dropped, small ones merged, big ones split, the rest passed through', async () => {
    const inputs = await mixedPartition();
    const outputs = await runBatcher(inputs, 5);
    assert.deepEqual(outputs.map((o) => o.recordCount), [5, 4, 3, 3, 3, 5, 5, 2, 5, 2, 5, 2]);
    assert.deepEqual(outputs.map((o) => readBatchHeader(o.bytes!, 0).codec), [0, 0, 1, 0, 0, 0, 0, 0, 1, 1, 0, 0]);
    assert.deepEqual(outputs[0]!.sourceRanges, [{ first: 0, last: 4 }]);
    assert.deepEqual(outputs[3]!.sourceRanges, [{ first: 13, last: 13 }, { first: 15, last: 15 }, { first: 18, last: 18 }]);
    // Merged across the abort marker at 46: source offsets jump, records stay in order.
    assert.deepEqual(outputs[10]!.sourceRanges, [{ first: 44, last: 45 }, { first: 47, last: 49 }]);
    await checkOutputs(inputs, outputs, 5, 0);
  });

  test('the same partition with other batch sizes', async () => {
    const inputs = await mixedPartition();
    for (const size of [1, 2, 3, 7, 12, 1000]) {
      const outputs = await runBatcher(inputs, size);
      await checkOutputs(inputs, outputs, size, 0);
    }
    // Batch size 1000: everything mergeable between the non-mergeable batches is one batch.
    assert.deepEqual((await runBatcher(inputs, 1000)).map((o) => o.recordCount), [9, 3, 3, 3, 12, 7, 7]);
  });

  test('merging stops at produce_batch_size records', async () => {
    const inputs = Array.from({ length: 7 }, (_, i) => buildBatch({ baseOffset: i * 3, records: sequentialRecords(3, T + i * 10_000) }));
    const outputs = await runBatcher(inputs, 10);
    assert.deepEqual(outputs.map((o) => o.recordCount), [9, 9, 3]);
    await checkOutputs(inputs, outputs, 10, 0);
  });

  test('merging stops below MERGE_MAX_BYTES', async () => {
    const big = Buffer.alloc(300_000, 7);
    const inputs = Array.from({ length: 5 }, (_, i) =>
      buildBatch({ baseOffset: i, records: [{ timestamp: T + i, key: `big${i}`, value: big }] }),
    );
    const outputs = await runBatcher(inputs, 1000);
    assert.deepEqual(outputs.map((o) => o.recordCount), [3, 2]);
    for (const o of outputs) assert.ok(o.bytes!.length < MERGE_MAX_BYTES, `${o.bytes!.length} bytes`);
    await checkOutputs(inputs, outputs, 1000, 0);
  });

  test('a single batch larger than MERGE_MAX_BYTES is passed through alone', async () => {
    const inputs = [
      buildBatch({ baseOffset: 0, records: sequentialRecords(2) }),
      buildBatch({ baseOffset: 2, records: [{ timestamp: T, key: 'huge', value: Buffer.alloc(MERGE_MAX_BYTES + 10, 1) }] }),
      buildBatch({ baseOffset: 3, records: sequentialRecords(2) }),
    ];
    const outputs = await runBatcher(inputs, 1000);
    assert.deepEqual(outputs.map((o) => o.recordCount), [2, 1, 2]);
    await checkOutputs(inputs, outputs, 1000, 0);
  });

  test('grouped batches are copied: the reader may reuse the block buffer after add()', async () => {
    const inputs = [buildBatch({ baseOffset: 0, records: sequentialRecords(2) }), buildBatch({ baseOffset: 2, records: sequentialRecords(2) })];
    const batcher = new ProduceBatcher(IDENTITY, 100, 0);
    const block = Buffer.concat(inputs);
    assert.deepEqual(await batcher.add(raw(block.subarray(0, inputs[0]!.length))), []);
    assert.deepEqual(await batcher.add(raw(block.subarray(inputs[0]!.length))), []);
    block.fill(0xee);
    const outputs = batcher.flush();
    await checkOutputs(inputs, outputs, 100, 0);
    assert.deepEqual(batcher.flush(), [], 'a second flush has nothing left');
  });

  test('only control and empty batches: nothing to produce', async () => {
    const inputs = [
      buildControlBatch({ baseOffset: 0, producerId: 1, type: 'commit' }),
      buildBatch({ baseOffset: 1, records: [], lastOffsetDelta: 0 }),
    ];
    assert.deepEqual(await runBatcher(inputs, 5), []);
    assert.deepEqual(await runBatcher(inputs, 5, 3), []);
  });
});

describe('ProduceBatcher: skip (records already in the target)', () => {
  test('skip on a batch boundary reports whole batches and sends the rest from sequence 0', async () => {
    const inputs = await mixedPartition();
    const outputs = await runBatcher(inputs, 5, 5);
    assert.deepEqual(outputs.slice(0, 2).map((o) => [o.bytes, o.recordCount]), [[undefined, 3], [undefined, 2]]);
    assert.deepEqual(outputs[0]!.sourceRanges, [{ first: 0, last: 2 }]);
    assert.equal(readBatchHeader(outputs[2]!.bytes!, 0).baseSequence, 0);
    assert.deepEqual(outputs[2]!.sourceRanges, [{ first: 6, last: 9 }]);
    await checkOutputs(inputs, outputs, 5, 5);
  });

  test('skip inside a batch reports its first records and sends the others', async () => {
    const inputs = await mixedPartition();
    const outputs = await runBatcher(inputs, 5, 4);
    assert.deepEqual(outputs.slice(0, 3).map((o) => [o.bytes === undefined, o.sourceRanges]), [
      [true, [{ first: 0, last: 2 }]],
      [true, [{ first: 3, last: 3 }]],
      [false, [{ first: 4, last: 4 }]],
    ]);
    await checkOutputs(inputs, outputs, 5, 4);
  });

  test('skip ending inside a compacted batch reports by record, not by offset', async () => {
    const inputs = await mixedPartition();
    // 12 records before F; the 13th is F's first record (offset 13); F's others are 15 and 18.
    const outputs = await runBatcher(inputs, 5, 13);
    const fReported = outputs.find((o) => o.bytes === undefined && o.sourceRanges[0]!.first === 13)!;
    assert.deepEqual(fReported.sourceRanges, [{ first: 13, last: 13 }]);
    const fSent = outputs.find((o) => o.bytes !== undefined)!;
    assert.deepEqual(fSent.sourceRanges, [{ first: 15, last: 15 }, { first: 18, last: 18 }]);
    await checkOutputs(inputs, outputs, 5, 13);
  });

  test('skip spanning several batches and a merge group, ending inside a batch larger than the batch size', async () => {
    const inputs = await mixedPartition();
    // A..H hold 18 records: skip 20 ends after I's second record; I's other 10 go out as 5 and 5
    // (pieces are cut from the first record sent).
    const outputs = await runBatcher(inputs, 5, 20);
    const sent = outputs.filter((o) => o.bytes !== undefined);
    assert.deepEqual(sent.slice(0, 2).map((o) => o.sourceRanges), [
      [{ first: 27, last: 31 }],
      [{ first: 32, last: 36 }],
    ]);
    await checkOutputs(inputs, outputs, 5, 20);
  });

  test('every skip from 0 to past the end keeps all invariants', async () => {
    const inputs = await mixedPartition();
    for (const skip of [...Array.from({ length: MIXED_TOTAL + 1 }, (_, i) => i), MIXED_TOTAL + 10]) {
      for (const size of [1, 5, 1000]) {
        await checkOutputs(inputs, await runBatcher(inputs, size, skip), size, skip);
      }
    }
  });

  test('skip of everything sends nothing', async () => {
    const inputs = await mixedPartition();
    const outputs = await runBatcher(inputs, 5, MIXED_TOTAL);
    assert.ok(outputs.length > 0);
    assert.ok(outputs.every((o) => o.bytes === undefined));
  });
});
