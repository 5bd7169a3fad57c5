// The one byte cursor: walks Kafka response payloads (kafka/wire/) and record data inside batches
// (records/). Big-endian int8/16/32, int64 as a safe number (records/int64.ts), zigzag
// varint/varlong, int16-length strings, int32-length bytes and int32-counted arrays.
//
// Every read checks bounds against `end` and advances `pos`, so malformed input never yields
// `undefined` bytes, a value read past the end, or a silently shortened string. A read past `end`
// throws the cursor's `truncated` error: RECORD_FORMAT for record data (the default), a RangeError
// for a response payload (`ByteCursor.response`), as Buffer's own reads throw.
//
// Numbers are JS numbers. A varlong is supported in [-2^52, 2^52) (its zigzag form is then a safe
// integer), far beyond any real timestamp delta; anything else is RECORD_FORMAT, never rounded.
// Byte fields are views (no copy). `pos` and `end` are public: record parsing narrows `end` to one
// record (records/record.ts enterRecord) and jumps over fields by setting `pos`.

import { readSafeInt64 } from './int64.js';
import { recordFormatError } from './varint.js';

/** Builds the error for a read of `need` bytes at `pos` past `end`. */
export type Truncated = (pos: number, end: number) => Error;

const recordTruncated: Truncated = (pos) => recordFormatError(`record data truncated at byte ${pos}`);

const responseTruncated: Truncated = (pos, end) => new RangeError(`response truncated: reading at byte ${pos} of ${end}`);

const MAX_ZIGZAG = Number.MAX_SAFE_INTEGER;

export class ByteCursor {
  buf: Buffer;
  pos: number;
  end: number;
  readonly truncated: Truncated;

  constructor(buf: Buffer, pos = 0, end = buf.length, truncated: Truncated = recordTruncated) {
    this.buf = buf;
    this.pos = pos;
    this.end = end;
    this.truncated = truncated;
  }

  /** A whole Kafka response payload; reading past its end is a RangeError. */
  static response(payload: Buffer): ByteCursor {
    return new ByteCursor(payload, 0, payload.length, responseTruncated);
  }

  remaining(): number {
    return this.end - this.pos;
  }

  /** Advances by n bytes, which must be available. */
  skip(n: number): void {
    if (n < 0 || this.pos + n > this.end) throw this.truncated(this.pos, this.end);
    this.pos += n;
  }

  /** Returns a view (no copy) of the next n bytes. */
  slice(n: number): Buffer {
    const start = this.pos;
    this.skip(n);
    return this.buf.subarray(start, start + n);
  }

  int8(): number {
    if (this.pos >= this.end) throw this.truncated(this.pos, this.end);
    return this.buf.readInt8(this.pos++);
  }

  int16(): number {
    const at = this.pos;
    this.skip(2);
    return this.buf.readInt16BE(at);
  }

  int32(): number {
    const at = this.pos;
    this.skip(4);
    return this.buf.readInt32BE(at);
  }

  /** A big-endian int64 as a safe integer; `field` names it in the error when it is beyond 2^53 ("Fetch orders/3 high_watermark"). */
  int64(field: string): number {
    const at = this.pos;
    this.skip(8);
    return readSafeInt64(this.buf, at, field);
  }

  /** A zigzag varint (int32). At most 5 bytes. */
  varint(): number {
    const buf = this.buf;
    let p = this.pos;
    const limit = Math.min(this.end, p + 5);
    let u = 0;
    let shift = 0;
    for (;;) {
      if (p >= limit) throw p >= this.end ? this.truncated(p, this.end) : recordFormatError(`varint at byte ${this.pos} is longer than 5 bytes`);
      const b = buf[p++]!;
      u |= (b & 0x7f) << shift;
      if (b < 0x80) break;
      shift += 7;
    }
    this.pos = p;
    return (u >>> 1) ^ -(u & 1);
  }

  /** A zigzag varlong (int64), which must decode to a safe integer. At most 10 bytes. */
  varlong(): number {
    const buf = this.buf;
    let p = this.pos;
    const limit = Math.min(this.end, p + 10);
    let z = 0;
    let mul = 1;
    for (;;) {
      if (p >= limit) throw p >= this.end ? this.truncated(p, this.end) : recordFormatError(`varlong at byte ${this.pos} is longer than 10 bytes`);
      const b = buf[p++]!;
      z += (b & 0x7f) * mul;
      if (b < 0x80) break;
      mul *= 128;
    }
    if (z > MAX_ZIGZAG) throw recordFormatError(`varlong at byte ${this.pos} is not a safe integer`);
    this.pos = p;
    return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
  }

  /** A nullable string: int16 length (-1 = null), UTF-8 bytes. */
  string(): string | null {
    const length = this.int16();
    if (length < 0) return null;
    const start = this.pos;
    this.skip(length);
    return this.buf.toString('utf8', start, start + length);
  }

  /** Nullable bytes: int32 length (-1 = null), as a view (no copy). */
  bytes(): Buffer | null {
    const length = this.int32();
    return length < 0 ? null : this.slice(length);
  }

  /** An int32 count, then that many items, each read by `item`. */
  array<T>(item: (c: ByteCursor) => T): T[] {
    const n = this.int32();
    const out: T[] = [];
    for (let i = 0; i < n; i++) out.push(item(this));
    return out;
  }
}
