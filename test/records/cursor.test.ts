// The one byte cursor (src/records/cursor.ts) as the Kafka response decoders use it; its varint
// and varlong reads are tested with their writers in varint.test.ts.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isKafkaBackupError } from '../../src/errors.js';
import { ByteCursor } from '../../src/records/cursor.js';

const isRecordFormat = (err: unknown) => isKafkaBackupError(err, 'RECORD_FORMAT');

/** int8 -2, int16 -300, int32 70000, int64 2^40+5, string "héllo", null string, bytes 0a0b, null bytes, [int32 7, int32 8]. */
function sample(): Buffer {
  const b = Buffer.alloc(64);
  let p = 0;
  p = b.writeInt8(-2, p);
  p = b.writeInt16BE(-300, p);
  p = b.writeInt32BE(70000, p);
  p = b.writeBigInt64BE(2n ** 40n + 5n, p);
  const s = Buffer.from('héllo');
  p = b.writeInt16BE(s.length, p);
  p += s.copy(b, p);
  p = b.writeInt16BE(-1, p);
  p = b.writeInt32BE(2, p);
  p = b.writeUInt8(0x0a, p);
  p = b.writeUInt8(0x0b, p);
  p = b.writeInt32BE(-1, p);
  p = b.writeInt32BE(2, p);
  p = b.writeInt32BE(7, p);
  p = b.writeInt32BE(8, p);
  return b.subarray(0, p);
}

describe('ByteCursor', () => {
  test('reads the Kafka protocol primitives in order; bytes are views into the buffer', () => {
    const buf = sample();
    const c = ByteCursor.response(buf);
    assert.equal(c.int8(), -2);
    assert.equal(c.int16(), -300);
    assert.equal(c.int32(), 70000);
    assert.equal(c.int64('f'), 2 ** 40 + 5);
    assert.equal(c.string(), 'héllo');
    assert.equal(c.string(), null);
    const bytes = c.bytes()!;
    assert.deepEqual([...bytes], [0x0a, 0x0b]);
    assert.equal(bytes.buffer, buf.buffer, 'a view, not a copy');
    assert.equal(c.bytes(), null);
    assert.deepEqual(
      c.array((x) => x.int32()),
      [7, 8],
    );
    assert.equal(c.remaining(), 0);
  });

  test('an int64 beyond 2^53 is RECORD_FORMAT naming the field, never rounded', () => {
    const b = Buffer.alloc(8);
    b.writeBigInt64BE(2n ** 53n + 1n);
    assert.throws(() => ByteCursor.response(b).int64('Fetch response t/0 high_watermark'), (err: unknown) => {
      assert.ok(isRecordFormat(err));
      assert.match((err as Error).message, /Fetch response t\/0 high_watermark 9007199254740993 is outside the supported range/);
      return true;
    });
  });

  test('a read past the end: RangeError for a response payload, RECORD_FORMAT for record data; nothing is shortened', () => {
    const whole = sample();
    for (const cut of [0, 1, 2, 5, 9, 14, 17, 20, 23, 27, 30, 34, 38, whole.length - 1]) {
      const payload = whole.subarray(0, cut);
      const readAll = (c: ByteCursor) => {
        c.int8();
        c.int16();
        c.int32();
        c.int64('f');
        c.string();
        c.string();
        c.bytes();
        c.bytes();
        c.array((x) => x.int32());
      };
      assert.throws(() => readAll(ByteCursor.response(payload)), RangeError, `cut at ${cut}`);
      assert.throws(() => readAll(new ByteCursor(payload)), isRecordFormat, `cut at ${cut}`);
    }
    // The cursor's end bounds it even when the buffer goes on.
    assert.throws(() => new ByteCursor(whole, 0, 3).int32(), isRecordFormat);
    assert.throws(() => new ByteCursor(whole, 0, 2).skip(3), isRecordFormat);
    assert.throws(() => new ByteCursor(whole).skip(-1), isRecordFormat);
  });
});
