import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, test } from 'node:test';
import { crc32c } from '@node-rs/crc32';
import { isKafkaBackupError } from '../../src/errors.js';
import {
  BATCH_HEADER_SIZE,
  batchLayout,
  readBatchHeader,
  verifyBatchCrc,
  walkBatches,
} from '../../src/records/batch.js';
import { readSafeInt64, writeSafeInt64 } from '../../src/records/int64.js';
import { buildBatch, buildControlBatch, sequentialRecords } from './build.js';

/** Bitwise CRC-32C (Castagnoli, reflected polynomial 0x82F63B78): independent of @node-rs/crc32. */
function crc32cBitwise(buf: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of buf) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

const isRecordFormat = (err: unknown) => isKafkaBackupError(err, 'RECORD_FORMAT');

function fixedBatch(): Buffer {
  return buildBatch({
    baseOffset: 42,
    partitionLeaderEpoch: 7,
    records: [
      { timestamp: 1_700_000_000_000, key: 'a', value: 'hello', headers: [{ key: 'h', value: 'x' }] },
      { timestamp: 1_700_000_000_005, key: null, value: 'world' },
    ],
  });
}

describe('CRC-32C', () => {
  test('the bitwise reference gives the standard check value', () => {
    assert.equal(crc32cBitwise(Buffer.from('123456789')), 0xe3069283);
    assert.equal(crc32c(Buffer.from('123456789')), 0xe3069283);
  });

  test('a built batch carries the CRC-32C of attributes..end, matching the reference and a golden value', () => {
    const batch = fixedBatch();
    const stored = batch.readUInt32BE(batchLayout.crc);
    assert.equal(stored, crc32cBitwise(batch.subarray(batchLayout.attributes)));
    assert.equal(stored, 0x21e713d9); // golden: changes only if the encoding of fixedBatch changes
    assert.equal(verifyBatchCrc(batch), true);
  });

  test('verifyBatchCrc detects a flipped bit inside the CRC region but not in baseOffset', () => {
    const batch = fixedBatch();
    const corrupt = Buffer.from(batch);
    corrupt[batch.length - 1]! ^= 1;
    assert.equal(verifyBatchCrc(corrupt), false);
    const patched = Buffer.from(batch);
    patched.writeInt32BE(99, batchLayout.partitionLeaderEpoch);
    assert.equal(verifyBatchCrc(patched), true);
  });

  test('batch bytes equal those of kafkajs’s independent encoder', async () => {
    const require = createRequire(import.meta.url);
    type Enc = { buffer: Buffer };
    const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0/index.js') as {
      RecordBatch: (args: Record<string, unknown>) => Promise<Enc>;
    };
    const Record = require('kafkajs/src/protocol/recordBatch/record/v0/index.js') as (args: Record<string, unknown>) => Enc;
    const kjs = await RecordBatch({
      firstOffset: '42',
      firstTimestamp: 1_700_000_000_000,
      maxTimestamp: 1_700_000_000_005,
      partitionLeaderEpoch: 7,
      lastOffsetDelta: 1,
      producerEpoch: -1,
      firstSequence: -1,
      records: [
        Record({ offsetDelta: 0, timestampDelta: 0, key: Buffer.from('a'), value: Buffer.from('hello'), headers: { h: Buffer.from('x') } }),
        Record({ offsetDelta: 1, timestampDelta: 5, key: null, value: Buffer.from('world') }),
      ],
    });
    assert.deepEqual(fixedBatch(), kjs.buffer);
  });
});

describe('readBatchHeader', () => {
  test('reads every field', () => {
    const batch = buildBatch({
      baseOffset: 2 ** 40,
      partitionLeaderEpoch: 3,
      transactional: true,
      producerId: 2 ** 35,
      producerEpoch: 4,
      baseSequence: 17,
      records: sequentialRecords(3, 1_600_000_000_000, 10),
    });
    const h = readBatchHeader(batch, 0);
    assert.deepEqual(h, {
      baseOffset: 2 ** 40,
      lastOffset: 2 ** 40 + 2,
      batchLength: batch.length - 12,
      partitionLeaderEpoch: 3,
      magic: 2,
      crc: batch.readUInt32BE(17),
      attributes: 0x10,
      codec: 0,
      timestampType: 'create',
      isTransactional: true,
      isControl: false,
      hasDeleteHorizon: false,
      lastOffsetDelta: 2,
      baseTimestamp: 1_600_000_000_000,
      maxTimestamp: 1_600_000_000_020,
      producerId: 2 ** 35,
      producerEpoch: 4,
      baseSequence: 17,
      recordCount: 3,
    });
    const control = readBatchHeader(buildControlBatch({ baseOffset: 5, producerId: 9, type: 'commit' }), 0);
    assert.equal(control.isControl, true);
    assert.equal(control.isTransactional, true);
  });

  test('int64 fields must be safe integers', () => {
    const batch = fixedBatch();
    batch.writeBigInt64BE(2n ** 53n, batchLayout.baseTimestamp);
    assert.throws(() => readBatchHeader(batch, 0), isRecordFormat);
    batch.writeBigInt64BE(-(2n ** 62n), batchLayout.baseTimestamp);
    assert.throws(() => readBatchHeader(batch, 0), isRecordFormat);
  });

  test('int64 helpers agree with BigInt at the edges of the safe range', () => {
    const buf = Buffer.alloc(8);
    for (const v of [0, -1, 1, 2 ** 32, -(2 ** 32), 2 ** 32 - 1, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER]) {
      writeSafeInt64(buf, 0, v, 'v');
      assert.equal(buf.readBigInt64BE(0), BigInt(v));
      assert.equal(readSafeInt64(buf, 0, 'v'), v);
    }
    buf.writeBigInt64BE(-(2n ** 53n), 0);
    assert.throws(() => readSafeInt64(buf, 0, 'v'), isRecordFormat);
  });
});

describe('walkBatches', () => {
  const batches = [
    buildBatch({ baseOffset: 0, records: sequentialRecords(3) }),
    buildControlBatch({ baseOffset: 3, producerId: 1, type: 'commit' }),
    buildBatch({ baseOffset: 4, records: sequentialRecords(1) }),
    buildBatch({ baseOffset: 5, records: sequentialRecords(10) }),
  ];
  const all = Buffer.concat(batches);

  test('no bytes: no batches', () => {
    assert.deepEqual(walkBatches(Buffer.alloc(0)), { batches: [], consumed: 0 });
  });

  test('one batch', () => {
    const { batches: out, consumed } = walkBatches(batches[0]!);
    assert.equal(consumed, batches[0]!.length);
    assert.equal(out.length, 1);
    assert.equal(out[0]!.header.recordCount, 3);
    assert.deepEqual(out[0]!.bytes, batches[0]);
  });

  test('many batches, as views into the input', () => {
    const { batches: out, consumed } = walkBatches(all);
    assert.equal(consumed, all.length);
    assert.deepEqual(
      out.map((b) => [b.header.baseOffset, b.header.lastOffset]),
      [[0, 2], [3, 3], [4, 4], [5, 14]],
    );
    out.forEach((b, i) => assert.deepEqual(b.bytes, batches[i]));
    assert.equal(out[1]!.bytes.buffer, all.buffer); // no copy
    assert.ok(out.every((b) => verifyBatchCrc(b.bytes)));
  });

  test('every truncation of the last batch is a partial tail that is not consumed', () => {
    const last = batches[batches.length - 1]!;
    const complete = all.length - last.length;
    for (let keep = 0; keep < last.length; keep++) {
      const { batches: out, consumed } = walkBatches(all.subarray(0, complete + keep));
      assert.equal(out.length, batches.length - 1, `keep ${keep}`);
      assert.equal(consumed, complete, `keep ${keep}`);
    }
  });

  test('magic 1 is rejected, complete or partial', () => {
    const v1 = Buffer.from(batches[2]!);
    v1.writeInt8(1, batchLayout.magic);
    v1.writeBigInt64BE(123n, 0);
    assert.throws(
      () => walkBatches(Buffer.concat([batches[0]!, v1])),
      (err: unknown) => isRecordFormat(err) && /message format v1 at offset 123 is not supported/.test((err as Error).message),
    );
    assert.throws(() => walkBatches(v1.subarray(0, 20)), isRecordFormat);
    // A v1 message is usually shorter than a v2 header: still reported as a format problem.
    const small = Buffer.alloc(40);
    small.writeInt32BE(28, 8);
    small.writeInt8(1, 16);
    assert.throws(() => walkBatches(small), /message format v1/);
  });

  test('a batchLength smaller than the header is rejected', () => {
    const bad = Buffer.from(batches[0]!);
    bad.writeInt32BE(BATCH_HEADER_SIZE - 13, batchLayout.batchLength);
    assert.throws(() => walkBatches(bad), isRecordFormat);
    const empty = Buffer.from(batches[0]!.subarray(0, BATCH_HEADER_SIZE));
    empty.writeInt32BE(BATCH_HEADER_SIZE - 12, batchLayout.batchLength);
    assert.equal(walkBatches(empty).consumed, BATCH_HEADER_SIZE); // a bare header is a legal length
  });
});
