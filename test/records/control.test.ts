import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isKafkaBackupError } from '../../src/errors.js';
import { attributeBits, batchLayout, writeBatchCrc } from '../../src/records/batch.js';
import { controlType } from '../../src/records/control.js';
import { encodeBatch } from '../../src/records/encode-batch.js';
import { encodeRecords } from '../../src/records/record.js';
import { buildBatch, buildControlBatch } from './build.js';

function controlWithKey(key: Buffer | null, recordCount = 1): Buffer {
  const section =
    recordCount === 0 ? Buffer.alloc(0) : encodeRecords([{ attributes: 0, timestampDelta: 0, offsetDelta: 0, key, value: null, headers: [] }]);
  return encodeBatch(
    {
      baseOffset: 0,
      partitionLeaderEpoch: 0,
      attributes: attributeBits.control | attributeBits.transactional,
      lastOffsetDelta: 0,
      baseTimestamp: 0,
      maxTimestamp: 0,
      producerId: 1,
      producerEpoch: 0,
      baseSequence: -1,
      recordCount,
    },
    section,
  );
}

describe('controlType', () => {
  test('commit, abort and other types', () => {
    assert.equal(controlType(buildControlBatch({ baseOffset: 10, producerId: 3, type: 'commit' })), 'commit');
    assert.equal(controlType(buildControlBatch({ baseOffset: 10, producerId: 3, type: 'abort' })), 'abort');
    assert.equal(controlType(buildControlBatch({ baseOffset: 10, producerId: 3, type: 2 })), 'unknown');
    assert.equal(controlType(controlWithKey(null, 0)), 'unknown'); // an empty control batch carries no marker
  });

  test('malformed keys are RECORD_FORMAT; non-control batches are a caller bug', () => {
    const isRecordFormat = (err: unknown) => isKafkaBackupError(err, 'RECORD_FORMAT');
    assert.throws(() => controlType(controlWithKey(null)), isRecordFormat);
    assert.throws(() => controlType(controlWithKey(Buffer.from([0, 0, 0]))), isRecordFormat);
    assert.throws(() => controlType(controlWithKey(Buffer.from([0xff, 0xff, 0, 0]))), isRecordFormat);
    const compressed = buildControlBatch({ baseOffset: 0, producerId: 1, type: 'commit' });
    compressed.writeInt16BE(compressed.readInt16BE(batchLayout.attributes) | 1, batchLayout.attributes);
    writeBatchCrc(compressed);
    assert.throws(() => controlType(compressed), isRecordFormat);
    assert.throws(
      () => controlType(buildBatch({ records: [{ timestamp: 1, key: 'x' }] })),
      (err: unknown) => isKafkaBackupError(err, 'INTERNAL'),
    );
  });
});
