import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isKafkaBackupError } from '../../src/errors.js';
import { ByteCursor } from '../../src/records/cursor.js';
import { varintSize, varlongSize, writeVarint, writeVarlong } from '../../src/records/varint.js';

const isRecordFormat = (err: unknown) => isKafkaBackupError(err, 'RECORD_FORMAT');

function encodeVarint(n: number): Buffer {
  const buf = Buffer.alloc(varintSize(n));
  assert.equal(writeVarint(buf, 0, n), buf.length);
  return buf;
}

function encodeVarlong(n: number): Buffer {
  const buf = Buffer.alloc(varlongSize(n));
  assert.equal(writeVarlong(buf, 0, n), buf.length);
  return buf;
}

describe('varint', () => {
  test('known zigzag encodings (protobuf / Kafka ByteUtils)', () => {
    assert.deepEqual(encodeVarint(0), Buffer.from([0x00]));
    assert.deepEqual(encodeVarint(-1), Buffer.from([0x01]));
    assert.deepEqual(encodeVarint(1), Buffer.from([0x02]));
    assert.deepEqual(encodeVarint(-64), Buffer.from([0x7f]));
    assert.deepEqual(encodeVarint(64), Buffer.from([0x80, 0x01]));
    assert.deepEqual(encodeVarint(150), Buffer.from([0xac, 0x02]));
    assert.deepEqual(encodeVarint(2147483647), Buffer.from([0xfe, 0xff, 0xff, 0xff, 0x0f]));
    assert.deepEqual(encodeVarint(-2147483648), Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f]));
    assert.deepEqual(encodeVarlong(-1), Buffer.from([0x01]));
    assert.deepEqual(encodeVarlong(2 ** 35), Buffer.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x02]));
  });

  test('round trips across sizes and signs', () => {
    const ints = [0, 1, -1, 63, -64, 64, -65, 8191, 8192, 2 ** 20, -(2 ** 20), 2 ** 27, 2 ** 28, 2 ** 31 - 1, -(2 ** 31)];
    for (const n of ints) {
      const r = new ByteCursor(encodeVarint(n));
      assert.equal(r.varint(), n);
      assert.equal(r.remaining(), 0);
    }
    const longs = [...ints, 2 ** 31, -(2 ** 31) - 1, 2 ** 40 + 3, -(2 ** 40) - 3, 1_700_000_000_000, 2 ** 52 - 1, -(2 ** 52)];
    for (const n of longs) {
      const r = new ByteCursor(encodeVarlong(n));
      assert.equal(r.varlong(), n);
      assert.equal(r.remaining(), 0);
    }
  });

  test('varlong agrees with a BigInt zigzag encoder', () => {
    const ref = (n: bigint): Buffer => {
      let z = (n << 1n) ^ (n >> 63n);
      z = BigInt.asUintN(64, z);
      const out: number[] = [];
      while (z >= 0x80n) {
        out.push(Number(z & 0x7fn) | 0x80);
        z >>= 7n;
      }
      out.push(Number(z));
      return Buffer.from(out);
    };
    for (const n of [0, -5, 300, -300, 2 ** 33 + 1, -(2 ** 45) + 7, 2 ** 52 - 1, -(2 ** 52)]) {
      assert.deepEqual(encodeVarlong(n), ref(BigInt(n)), String(n));
    }
  });

  test('truncated, overlong and unsafe values are RECORD_FORMAT', () => {
    assert.throws(() => new ByteCursor(Buffer.from([0x80])).varint(), isRecordFormat);
    assert.throws(() => new ByteCursor(Buffer.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x01])).varint(), isRecordFormat);
    assert.throws(() => new ByteCursor(Buffer.from([0x80, 0x80])).varlong(), isRecordFormat);
    // zigzag 2^60: beyond the safe range
    const big = Buffer.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x10]);
    assert.throws(() => new ByteCursor(big).varlong(), isRecordFormat);
    assert.throws(() => varlongSize(2 ** 52), (err: unknown) => isKafkaBackupError(err, 'INTERNAL'));
    // a reader stops at its end even when the buffer goes on
    assert.throws(() => new ByteCursor(Buffer.from([0x80, 0x01]), 0, 1).varint(), isRecordFormat);
    assert.throws(() => new ByteCursor(Buffer.alloc(3)).slice(4), isRecordFormat);
  });
});
