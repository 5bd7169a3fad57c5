// Kafka's variable-length integers (protobuf base-128 with zigzag sign encoding), as used inside
// message-format-v2 records. `varint` holds an int32, `varlong` an int64.
//
// Numbers are JS numbers. A varlong is supported in [-2^52, 2^52) (its zigzag form is then a safe
// integer), far beyond any real timestamp delta; anything else is RECORD_FORMAT, never rounded.
//
// Reading goes through ByteReader, a cursor over a byte range that throws RECORD_FORMAT on any
// read past its end, so malformed input can never yield `undefined` bytes or a wrong value.
// Writing goes through plain functions that take a position and return the next one.

import { KafkaBackupError } from '../errors.js';

const TWO_POW_31 = 2 ** 31;
const MAX_ZIGZAG = Number.MAX_SAFE_INTEGER;

export function recordFormatError(message: string, details: Record<string, unknown> = {}): KafkaBackupError {
  return new KafkaBackupError('RECORD_FORMAT', message, details);
}

/** A read cursor over buf[pos, end). Every read checks bounds and advances `pos`. */
export class ByteReader {
  buf: Buffer;
  pos: number;
  end: number;

  constructor(buf: Buffer, pos = 0, end = buf.length) {
    this.buf = buf;
    this.pos = pos;
    this.end = end;
  }

  remaining(): number {
    return this.end - this.pos;
  }

  readInt8(): number {
    if (this.pos >= this.end) throw truncated(this.pos);
    return this.buf.readInt8(this.pos++);
  }

  /** Advances by n bytes, which must be available. */
  skip(n: number): void {
    if (n < 0 || this.pos + n > this.end) throw truncated(this.pos);
    this.pos += n;
  }

  /** Returns a view (no copy) of the next n bytes. */
  slice(n: number): Buffer {
    const start = this.pos;
    this.skip(n);
    return this.buf.subarray(start, start + n);
  }

  /** A zigzag varint (int32). At most 5 bytes. */
  readVarint(): number {
    const buf = this.buf;
    let p = this.pos;
    const limit = Math.min(this.end, p + 5);
    let u = 0;
    let shift = 0;
    for (;;) {
      if (p >= limit) throw p >= this.end ? truncated(p) : recordFormatError(`varint at byte ${this.pos} is longer than 5 bytes`);
      const b = buf[p++]!;
      u |= (b & 0x7f) << shift;
      if (b < 0x80) break;
      shift += 7;
    }
    this.pos = p;
    return (u >>> 1) ^ -(u & 1);
  }

  /** A zigzag varlong (int64), which must decode to a safe integer. At most 10 bytes. */
  readVarlong(): number {
    const buf = this.buf;
    let p = this.pos;
    const limit = Math.min(this.end, p + 10);
    let z = 0;
    let mul = 1;
    for (;;) {
      if (p >= limit) throw p >= this.end ? truncated(p) : recordFormatError(`varlong at byte ${this.pos} is longer than 10 bytes`);
      const b = buf[p++]!;
      z += (b & 0x7f) * mul;
      if (b < 0x80) break;
      mul *= 128;
    }
    if (z > MAX_ZIGZAG) throw recordFormatError(`varlong at byte ${this.pos} is not a safe integer`);
    this.pos = p;
    return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
  }
}

function truncated(pos: number): KafkaBackupError {
  return recordFormatError(`record data truncated at byte ${pos}`);
}

function zigzag32(n: number): number {
  return ((n << 1) ^ (n >> 31)) >>> 0;
}

function zigzag64(n: number): number {
  if (!Number.isInteger(n) || n >= 2 ** 52 || n < -(2 ** 52)) {
    throw new KafkaBackupError('INTERNAL', `varlong value ${n} is outside the supported range`);
  }
  return n >= 0 ? n * 2 : -n * 2 - 1;
}

function checkInt32(n: number): void {
  if (!Number.isInteger(n) || n < -TWO_POW_31 || n >= TWO_POW_31) {
    throw new KafkaBackupError('INTERNAL', `varint value ${n} is not an int32`);
  }
}

function unsignedSize(u: number): number {
  let size = 1;
  while (u >= 128) {
    u = Math.floor(u / 128);
    size++;
  }
  return size;
}

function writeUnsigned(buf: Buffer, pos: number, u: number): number {
  while (u >= TWO_POW_31) {
    buf[pos++] = (u % 128) | 0x80;
    u = Math.floor(u / 128);
  }
  while (u >= 0x80) {
    buf[pos++] = (u & 0x7f) | 0x80;
    u >>>= 7;
  }
  buf[pos++] = u;
  return pos;
}

/** Encoded size in bytes of an int32 varint. */
export function varintSize(n: number): number {
  checkInt32(n);
  const u = zigzag32(n);
  return u < 0x80 ? 1 : u < 0x4000 ? 2 : u < 0x200000 ? 3 : u < 0x10000000 ? 4 : 5;
}

/** Writes an int32 varint at pos; returns the position after it. The caller sizes the buffer. */
export function writeVarint(buf: Buffer, pos: number, n: number): number {
  checkInt32(n);
  return writeUnsigned(buf, pos, zigzag32(n));
}

/** Encoded size in bytes of a varlong; n must lie in [-2^52, 2^52), whose zigzag form is a safe integer. */
export function varlongSize(n: number): number {
  return unsignedSize(zigzag64(n));
}

/** Writes a varlong at pos; returns the position after it. The caller sizes the buffer. */
export function writeVarlong(buf: Buffer, pos: number, n: number): number {
  return writeUnsigned(buf, pos, zigzag64(n));
}
