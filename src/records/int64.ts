// int64 fields as JS numbers.
//
// Invariant: Kafka offsets, producer ids and epoch-millisecond timestamps are below 2^53 in
// magnitude (an offset would need 285 years at a billion records per second to reach it), so they
// are carried as numbers. A value outside the safe-integer range is RECORD_FORMAT, never rounded.

import { KafkaBackupError } from '../errors.js';

const TWO_POW_32 = 2 ** 32;

/** Reads a big-endian int64 at pos as a safe integer; `field` names it in the error. */
export function readSafeInt64(buf: Buffer, pos: number, field: string): number {
  const hi = buf.readInt32BE(pos);
  const lo = buf.readUInt32BE(pos + 4);
  // Exact whenever the result is a safe integer; any other int64 yields a value that is not one.
  const value = hi * TWO_POW_32 + lo;
  if (!Number.isSafeInteger(value)) {
    throw new KafkaBackupError('RECORD_FORMAT', `${field} ${buf.readBigInt64BE(pos)} is outside the supported range (|n| < 2^53)`, {
      field,
    });
  }
  return value;
}

/** Writes a safe integer as a big-endian int64 at pos. */
export function writeSafeInt64(buf: Buffer, pos: number, value: number, field: string): void {
  if (!Number.isSafeInteger(value)) {
    throw new KafkaBackupError('INTERNAL', `${field} ${value} is not a safe integer`, { field });
  }
  const hi = Math.floor(value / TWO_POW_32);
  buf.writeInt32BE(hi, pos);
  buf.writeUInt32BE(value - hi * TWO_POW_32, pos + 4);
}
