import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { readBatchHeader } from '../../src/records/batch.js';
import { kafkaCodecs } from '../../src/records/codecs.js';
import { batchTimeRange } from '../../src/records/effective-time.js';
import { type BatchSpec, buildBatch, buildCompressedBatch, zlibCodecs } from './build.js';

const T = 1_700_000_000_000;
const unordered: BatchSpec['records'] = [
  { timestamp: T + 50, value: 'a' },
  { timestamp: T - 20, value: 'b' },
  { timestamp: T + 90, value: 'c' },
  { timestamp: T + 10, value: 'd' },
];

const range = (bytes: Buffer, codecs = zlibCodecs) => batchTimeRange(readBatchHeader(bytes, 0), bytes, codecs);

describe('batchTimeRange', () => {
  test('create time: the walk decides both bounds, not the header’s maxTimestamp', async () => {
    const bytes = buildBatch({ records: unordered, maxTimestamp: T + 5 }); // a producer’s wrong maxTimestamp
    assert.deepEqual(await range(bytes), { min: T - 20, max: T + 90 });
  });

  test('create time with a delete horizon: record times stay base + delta', async () => {
    const bytes = buildBatch({ records: unordered, deleteHorizon: T + 86_400_000 });
    assert.equal(readBatchHeader(bytes, 0).hasDeleteHorizon, true);
    assert.deepEqual(await range(bytes), { min: T - 20, max: T + 90 });
  });

  test('log-append time: every record is at maxTimestamp', async () => {
    const bytes = buildBatch({ records: unordered, logAppendTime: T + 1_000_000 });
    assert.deepEqual(await range(bytes), { min: T + 1_000_000, max: T + 1_000_000 });
  });

  test('compressed batches are decompressed for the walk (gzip injected, and every Kafka codec)', async () => {
    const gz = await buildCompressedBatch({ records: unordered, codec: 1 });
    assert.deepEqual(await range(gz), { min: T - 20, max: T + 90 });
    for (const codec of [1, 2, 3, 4]) {
      const bytes = await buildCompressedBatch({ records: unordered, codec }, kafkaCodecs);
      assert.equal(readBatchHeader(bytes, 0).codec, codec);
      assert.deepEqual(await batchTimeRange(readBatchHeader(bytes, 0), bytes), { min: T - 20, max: T + 90 }, `codec ${codec}`);
    }
  });

  test('a batch with no records has no range', async () => {
    assert.equal(await range(buildBatch({ records: [], lastOffsetDelta: 4 })), undefined);
  });
});
