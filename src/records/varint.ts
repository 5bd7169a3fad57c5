// Kafka's variable-length integers (protobuf base-128 with zigzag sign encoding), as used inside
// message-format-v2 records. `varint` holds an int32, `varlong` an int64.
//
// Numbers are JS numbers. A varlong is supported in [-2^52, 2^52) (its zigzag form is then a safe
// integer), far beyond any real timestamp delta; anything else is RECORD_FORMAT, never rounded.
//
// Reading goes through the byte cursor (records/cursor.ts: varint(), varlong()). Writing goes
// through plain functions that take a position and return the next one.

import { KafkaBackupError } from '../errors.js';

const TWO_POW_31 = 2 ** 31;

export function recordFormatError(message: string, details: Record<string, unknown> = {}): KafkaBackupError {
  return new KafkaBackupError('RECORD_FORMAT', message, details);
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
