import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isKafkaBackupError } from '../../src/errors.js';
import { readBatchHeader, verifyBatchCrc, walkBatches } from '../../src/records/batch.js';
import { mergeUncompressed } from '../../src/records/produce.js';
import { buildBatch, buildCompressedBatch, readBack, sequentialRecords } from './build.js';

const T = 1_700_000_000_000;
const stamp = { producerId: 8, producerEpoch: 0, baseSequence: 1000 };

describe('mergeUncompressed', () => {
  test('the merged batch holds the parts’ records in order, with exact timestamps and a valid CRC', async () => {
    const partBytes = [
      buildBatch({ baseOffset: 0, records: sequentialRecords(3, T, 10) }),
      // a part whose base timestamp is far from its records (delete horizon), and a big value
      buildBatch({
        baseOffset: 3,
        deleteHorizon: T + 10 ** 9,
        records: [
          { timestamp: T - 50_000, key: null, value: Buffer.alloc(20_000, 7), headers: [{ key: Buffer.from([0xff]), value: null }] },
          { timestamp: T + 2 ** 35, key: 'z', value: Buffer.alloc(0) },
        ],
      }),
      // offset 5 is a control batch in the source: a gap between parts
      buildBatch({ baseOffset: 6, transactional: true, producerId: 3, producerEpoch: 1, baseSequence: 0, records: sequentialRecords(200, T + 5, 1) }),
      buildBatch({ baseOffset: 206, records: [{ timestamp: T, key: 'last', value: 'x' }] }),
    ];
    const parts = walkBatches(Buffer.concat(partBytes)).batches;
    const merged = mergeUncompressed(parts, stamp);
    assert.deepEqual([merged.recordCount, merged.firstOffset, merged.lastOffset], [206, 0, 206]);
    assert.deepEqual(merged.sourceRanges, [{ first: 0, last: 4 }, { first: 6, last: 206 }]);
    assert.equal(verifyBatchCrc(merged.bytes), true);

    const h = readBatchHeader(merged.bytes, 0);
    assert.deepEqual([h.baseOffset, h.partitionLeaderEpoch, h.attributes, h.lastOffsetDelta, h.recordCount], [0, -1, 0, 205, 206]);
    assert.deepEqual([h.producerId, h.producerEpoch, h.baseSequence], [8, 0, 1000]);
    assert.equal(h.baseTimestamp, T);
    assert.equal(h.maxTimestamp, T + 2 ** 35);

    const expected = (await Promise.all(partBytes.map((b) => readBack(b)))).flat().map((r, i) => ({ ...r, offset: i }));
    assert.deepEqual(await readBack(merged.bytes), expected);
  });

  test('one part gives a batch equal to stamping it, apart from the base timestamp choice', async () => {
    const part = buildBatch({ baseOffset: 40, records: sequentialRecords(5, T) });
    const merged = mergeUncompressed(walkBatches(part).batches, stamp);
    assert.deepEqual(await readBack(merged.bytes), (await readBack(part)).map((r, i) => ({ ...r, offset: i })));
    assert.equal(merged.bytes.length, part.length);
  });

  test('refuses parts that need a rebuild, are compressed or log-append, and an empty list', async () => {
    const isInternal = (err: unknown) => isKafkaBackupError(err, 'INTERNAL');
    const gz = await buildCompressedBatch({ codec: 1, records: sequentialRecords(2) });
    const gaps = buildBatch({ records: [{ offset: 0, timestamp: T }, { offset: 2, timestamp: T }] });
    const logAppend = buildBatch({ records: sequentialRecords(2), logAppendTime: T });
    for (const bad of [gz, gaps, logAppend]) {
      assert.throws(() => mergeUncompressed(walkBatches(bad).batches, stamp), isInternal);
    }
    assert.throws(() => mergeUncompressed([], stamp), isInternal);
  });
});
