// int64 fields as JS numbers: the one place the code base turns a Kafka or format int64 into a number.
//
// Invariant: Kafka offsets, producer ids and epoch-millisecond timestamps are below 2^53 in
// magnitude (an offset would need 285 years at a billion records per second to reach it), so they
// are carried as numbers. A value outside the safe-integer range is RECORD_FORMAT (or the caller's
// own error, e.g. BACKUP_CORRUPT for a stored segment), never rounded. Readers: records/batch.ts
// (batch headers), records/cursor.ts (Fetch, Produce responses), format/segment-binary.ts
// (segment index), safeInt64 for the int64s kafkajs decodes into decimal strings (ListOffsets,
// OffsetFetch, InitProducerId), and parseSafeInt64 for the offsets and times in key names
// (format/layout.ts). Writers: writeSafeInt64 (batch headers, segment index and trailer).

import { KafkaBackupError } from '../errors.js';

const TWO_POW_32 = 2 ** 32;

/** Builds the error for an int64 outside the safe range; `value` is exact (decimal). */
export type OutOfRange = (field: string, value: string) => Error;

const recordFormat: OutOfRange = (field, value) =>
  new KafkaBackupError('RECORD_FORMAT', `${field} ${value} is outside the supported range (|n| < 2^53): not rounded, refused`, {
    field,
    value,
  });

/** Reads a big-endian int64 at pos as a safe integer; `field` names it in the error. */
export function readSafeInt64(buf: Buffer, pos: number, field: string, outOfRange: OutOfRange = recordFormat): number {
  const hi = buf.readInt32BE(pos);
  const lo = buf.readUInt32BE(pos + 4);
  // Exact whenever the result is a safe integer; any other int64 yields a value that is not one.
  const value = hi * TWO_POW_32 + lo;
  if (!Number.isSafeInteger(value)) throw outOfRange(field, buf.readBigInt64BE(pos).toString());
  return value;
}

/**
 * An int64 another decoder already parsed, as a bigint or a decimal string (kafkajs decodes int64
 * into Long and hands out its toString()), as a safe integer; `field` names it in the error.
 */
export function safeInt64(value: bigint | string, field: string, outOfRange: OutOfRange = recordFormat): number {
  let exact: bigint;
  try {
    exact = typeof value === 'bigint' ? value : BigInt(value.trim() === '' ? 'x' : value);
  } catch {
    throw new KafkaBackupError('RECORD_FORMAT', `${field} ${JSON.stringify(value)} is not an integer`, { field, value: String(value) });
  }
  const n = Number(exact);
  if (!Number.isSafeInteger(n)) throw outOfRange(field, exact.toString());
  return n;
}

/**
 * A decimal int64 written by us (the zero-padded offset or time in a key name) as a safe integer,
 * or undefined when the text is not a decimal integer or lies beyond 2^53: for parsers whose answer
 * to a foreign value is "not one of ours". Exact: any decimal beyond 2^53 - 1 becomes a number
 * that is not a safe integer.
 */
export function parseSafeInt64(text: string): number | undefined {
  if (!/^-?[0-9]+$/.test(text)) return undefined;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : undefined;
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
