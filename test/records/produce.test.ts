import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isKafkaBackupError } from '../../src/errors.js';
import { BATCH_HEADER_SIZE, readBatchHeader, verifyBatchCrc } from '../../src/records/batch.js';
import { decodeRecords } from '../../src/records/record.js';
import { NON_IDEMPOTENT, needsRebuild, stampForProduce } from '../../src/records/produce.js';
import { buildBatch, buildCompressedBatch, buildControlBatch, sequentialRecords } from './build.js';

const T = 1_700_000_000_000;
const header = (bytes: Buffer) => readBatchHeader(bytes, 0);

describe('needsRebuild', () => {
  test('gap-free create-time batches pass; gaps, empty and log-append batches need a rebuild', () => {
    const plain = buildBatch({ baseOffset: 10, records: sequentialRecords(3) });
    assert.equal(needsRebuild(header(plain), plain), false);
    const gaps = buildBatch({ baseOffset: 10, records: [{ offset: 10, timestamp: T }, { offset: 12, timestamp: T }] });
    assert.equal(needsRebuild(header(gaps)), true);
    const tailCompacted = buildBatch({ baseOffset: 10, records: sequentialRecords(2), lastOffsetDelta: 5 });
    assert.equal(needsRebuild(header(tailCompacted)), true);
    const empty = buildBatch({ baseOffset: 10, records: [], lastOffsetDelta: 0 });
    assert.equal(needsRebuild(header(empty)), true);
    const logAppend = buildBatch({ records: sequentialRecords(2), logAppendTime: T });
    assert.equal(needsRebuild(header(logAppend)), true);
    assert.equal(needsRebuild(header(plain), Buffer.concat([plain, Buffer.alloc(1)])), true);
  });
});

describe('stampForProduce', () => {
  test('patches offsets, epoch, producer fields and attributes; keeps records; valid CRC; input untouched', async () => {
    const source = await buildCompressedBatch({
      baseOffset: 5000,
      partitionLeaderEpoch: 12,
      codec: 1,
      transactional: true,
      producerId: 77,
      producerEpoch: 3,
      baseSequence: 40,
      deleteHorizon: T + 1000,
      records: sequentialRecords(4, T),
    });
    const before = Buffer.from(source);
    const out = stampForProduce(source, { producerId: 1234, producerEpoch: 2, baseSequence: 99 });
    assert.deepEqual(source, before);
    const h = header(out);
    const s = header(source);
    assert.equal(h.baseOffset, 0);
    assert.equal(h.partitionLeaderEpoch, -1);
    assert.equal(h.attributes, 1); // gzip kept; transactional and delete horizon cleared
    assert.equal(h.isTransactional, false);
    assert.equal(h.hasDeleteHorizon, false);
    assert.deepEqual([h.producerId, h.producerEpoch, h.baseSequence], [1234, 2, 99]);
    assert.deepEqual(
      [h.lastOffsetDelta, h.baseTimestamp, h.maxTimestamp, h.recordCount, h.batchLength],
      [s.lastOffsetDelta, s.baseTimestamp, s.maxTimestamp, s.recordCount, s.batchLength],
    );
    assert.deepEqual(out.subarray(BATCH_HEADER_SIZE), source.subarray(BATCH_HEADER_SIZE));
    assert.equal(verifyBatchCrc(out), true);
    out.fill(0); // a copy: the source is unaffected
    assert.deepEqual(source, before);
  });

  test('non-idempotent stamp and uncompressed records decode unchanged', () => {
    const source = buildBatch({ baseOffset: 7, records: sequentialRecords(3, T) });
    const out = stampForProduce(source, NON_IDEMPOTENT);
    const h = header(out);
    assert.deepEqual([h.producerId, h.producerEpoch, h.baseSequence], [-1, -1, -1]);
    assert.equal(h.attributes, 0);
    assert.deepEqual(decodeRecords(out.subarray(BATCH_HEADER_SIZE), 3), decodeRecords(source.subarray(BATCH_HEADER_SIZE), 3));
    assert.equal(verifyBatchCrc(out), true);
  });

  test('refuses control batches', () => {
    assert.throws(
      () => stampForProduce(buildControlBatch({ baseOffset: 1, producerId: 1, type: 'commit' }), NON_IDEMPOTENT),
      (err: unknown) => isKafkaBackupError(err, 'INTERNAL'),
    );
  });
});
