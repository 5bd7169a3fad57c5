import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isKafkaBackupError } from '../../src/errors.js';
import { readBatchHeader, verifyBatchCrc } from '../../src/records/batch.js';
import { kafkaCodecs } from '../../src/records/codecs.js';
import { NON_IDEMPOTENT, needsRebuild, rebuildBatch } from '../../src/records/produce.js';
import { type SimpleRecord, buildBatch, buildCompressedBatch, buildControlBatch, readBack, zlibCodecs } from './build.js';

const T = 1_700_000_000_000;
const stamp = { producerId: 500, producerEpoch: 1, baseSequence: 30 };

// A compacted batch: offsets 100..109 with 101, 104, 105 and 109 gone, timestamps not in order.
const compacted: SimpleRecord[] = [
  { offset: 100, timestamp: T + 300, key: 'a', value: 'A', headers: [{ key: 'h', value: null }] },
  { offset: 102, timestamp: T - 7000, key: 'b', value: null },
  { offset: 103, timestamp: T + 1, key: 'c', value: Buffer.alloc(0) },
  { offset: 106, timestamp: T + 2 ** 33, key: 'd', value: 'D' },
  { offset: 107, timestamp: T, key: 'e', value: 'E', headers: [{ key: 'x', value: '1' }, { key: 'x', value: '2' }] },
  { offset: 108, timestamp: T + 5, key: 'f', value: 'F' },
];
const spec = { baseOffset: 100, lastOffsetDelta: 9, transactional: true, producerId: 9, producerEpoch: 2, baseSequence: 0, records: compacted };

function expectProduceReady(bytes: Buffer, count: number, codec: number): void {
  const h = readBatchHeader(bytes, 0);
  assert.equal(verifyBatchCrc(bytes), true);
  assert.deepEqual(
    [h.baseOffset, h.partitionLeaderEpoch, h.attributes, h.recordCount, h.lastOffsetDelta],
    [0, -1, codec, count, count - 1],
  );
  assert.deepEqual([h.producerId, h.producerEpoch, h.baseSequence], [stamp.producerId, stamp.producerEpoch, stamp.baseSequence]);
  assert.equal(needsRebuild(h, bytes), false);
}

describe('rebuildBatch', () => {
  test('a compacted batch with gaps: renumbered, exact timestamps, stamped, decodes back equal', async () => {
    const source = buildBatch(spec);
    const before = await readBack(source);
    const out = await rebuildBatch(readBatchHeader(source, 0), source, { stamp });
    assert.ok(out);
    expectProduceReady(out.bytes, 6, 0);
    assert.deepEqual([out.recordCount, out.firstOffset, out.lastOffset], [6, 100, 108]);
    assert.deepEqual(out.sourceRanges, [
      { first: 100, last: 100 },
      { first: 102, last: 103 },
      { first: 106, last: 108 },
    ]);
    const after = await readBack(out.bytes);
    assert.deepEqual(
      after,
      before.map((r, i) => ({ ...r, offset: i })),
    );
    const h = readBatchHeader(out.bytes, 0);
    assert.equal(h.baseTimestamp, T + 300); // the first kept record's time
    assert.equal(h.maxTimestamp, T + 2 ** 33);
  });

  test('keep() sees source offsets and timestamps and drops records; nothing kept gives undefined', async () => {
    const source = buildBatch(spec);
    const seen: [number, number][] = [];
    const out = await rebuildBatch(readBatchHeader(source, 0), source, {
      stamp,
      keep: (offset, timestamp) => {
        seen.push([offset, timestamp]);
        return timestamp >= T && offset !== 108;
      },
    });
    assert.deepEqual(seen, compacted.map((r) => [r.offset, r.timestamp]));
    assert.ok(out);
    expectProduceReady(out.bytes, 4, 0);
    assert.deepEqual(out.sourceRanges, [{ first: 100, last: 100 }, { first: 103, last: 103 }, { first: 106, last: 107 }]);
    assert.deepEqual(
      (await readBack(out.bytes)).map((r) => [r.key?.toString(), r.timestamp]),
      [['a', T + 300], ['c', T + 1], ['d', T + 2 ** 33], ['e', T]],
    );
    assert.equal(await rebuildBatch(readBatchHeader(source, 0), source, { stamp, keep: () => false }), undefined);
    const empty = buildBatch({ baseOffset: 4, records: [], lastOffsetDelta: 2 });
    assert.equal(await rebuildBatch(readBatchHeader(empty, 0), empty, { stamp }), undefined);
  });

  test('gzip input is decompressed and the output recompressed with gzip', async () => {
    const source = await buildCompressedBatch({ ...spec, codec: 1 });
    const out = await rebuildBatch(readBatchHeader(source, 0), source, { stamp, codecs: zlibCodecs });
    assert.ok(out);
    expectProduceReady(out.bytes, 6, 1);
    assert.equal(out.bytes[61], 0x1f); // gzip magic at the start of the records section
    const expected = (await readBack(buildBatch(spec))).map((r, i) => ({ ...r, offset: i }));
    assert.deepEqual(await readBack(out.bytes), expected);
  });

  test('every Kafka codec round-trips through the default codecs', async () => {
    const expected = (await readBack(buildBatch(spec))).map((r, i) => ({ ...r, offset: i }));
    for (const codec of [2, 3, 4]) {
      const source = await buildCompressedBatch({ ...spec, codec }, kafkaCodecs);
      const out = await rebuildBatch(readBatchHeader(source, 0), source, { stamp });
      assert.ok(out);
      expectProduceReady(out.bytes, 6, codec);
      assert.deepEqual(await readBack(out.bytes, kafkaCodecs), expected, `codec ${codec}`);
    }
  });

  test('a log-append batch: every record gets maxTimestamp as its create time', async () => {
    const appendTime = T + 123_456;
    const source = buildBatch({ baseOffset: 50, logAppendTime: appendTime, records: compacted.slice(0, 3).map((r, i) => ({ ...r, offset: 50 + i })) });
    const out = await rebuildBatch(readBatchHeader(source, 0), source, { stamp });
    assert.ok(out);
    expectProduceReady(out.bytes, 3, 0);
    const h = readBatchHeader(out.bytes, 0);
    assert.equal(h.timestampType, 'create');
    assert.deepEqual([h.baseTimestamp, h.maxTimestamp], [appendTime, appendTime]);
    assert.deepEqual((await readBack(out.bytes)).map((r) => r.timestamp), [appendTime, appendTime, appendTime]);
    assert.deepEqual(out.sourceRanges, [{ first: 50, last: 52 }]);
  });

  test('refuses control batches', async () => {
    const control = buildControlBatch({ baseOffset: 1, producerId: 1, type: 'abort' });
    await assert.rejects(rebuildBatch(readBatchHeader(control, 0), control, { stamp: NON_IDEMPOTENT }), (err: unknown) =>
      isKafkaBackupError(err, 'INTERNAL'),
    );
  });
});
