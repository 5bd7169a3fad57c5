import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { readBatchHeader, verifyBatchCrc } from '../../src/records/batch.js';
import { trimBatch } from '../../src/records/trim.js';
import { buildBatch, buildCompressedBatch, readBack, sequentialRecords, zlibCodecs } from './build.js';

describe('trimBatch', () => {
  const records = sequentialRecords(5).map((r, i) => ({ ...r, key: `k${i}`, value: i === 2 ? null : `v${i}`, headers: [{ key: 'h', value: i % 2 ? null : 'x' }] }));

  test('drops the records below the offset and keeps the rest exactly, with their offsets', async () => {
    const bytes = buildBatch({ baseOffset: 100, records, producerId: 7, producerEpoch: 1, baseSequence: 10 });
    const before = await readBack(bytes);
    const out = (await trimBatch(readBatchHeader(bytes, 0), bytes, 102))!;
    const h = readBatchHeader(out, 0);
    assert.equal(h.baseOffset, 102);
    assert.equal(h.lastOffset, 104);
    assert.equal(h.recordCount, 3);
    assert.equal(h.producerId, 7);
    assert.equal(h.baseSequence, 12);
    assert.ok(verifyBatchCrc(out));
    assert.deepEqual(await readBack(out), before.slice(2));
  });

  test('returns the batch itself when nothing is below the offset, and undefined when nothing is left', async () => {
    const bytes = buildBatch({ baseOffset: 100, records });
    assert.equal(await trimBatch(readBatchHeader(bytes, 0), bytes, 100), bytes);
    const withGap = buildBatch({ baseOffset: 100, records: records.slice(0, 2), lastOffsetDelta: 9 });
    assert.equal(await trimBatch(readBatchHeader(withGap, 0), withGap, 105), undefined);
  });

  test('works on compressed batches and keeps the codec', async () => {
    const bytes = await buildCompressedBatch({ baseOffset: 0, records, codec: 1 });
    const out = (await trimBatch(readBatchHeader(bytes, 0), bytes, 3, zlibCodecs))!;
    assert.equal(readBatchHeader(out, 0).codec, 1);
    assert.deepEqual(await readBack(out), (await readBack(bytes)).slice(3));
  });
});
