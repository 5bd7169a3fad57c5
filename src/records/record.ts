// Records inside a v2 batch's (uncompressed) records section:
//
//   length varint | attributes int8 | timestampDelta varlong | offsetDelta varint |
//   keyLength varint (-1 = null) | key | valueLength varint (-1 = null) | value |
//   headerCount varint | headers: (keyLength varint | key | valueLength varint (-1 = null) | value)*
//
// Decoding keeps bytes as views into the section (no copies) and header keys as raw bytes, so
// non-UTF-8 keys, header order and duplicate header keys survive a round trip. Varints are written
// in their minimal form, as every Kafka client writes them, so re-encoding decoded records yields
// the original bytes.

import { ByteCursor } from './cursor.js';
import { recordFormatError, varintSize, varlongSize, writeVarint, writeVarlong } from './varint.js';

export interface RecordHeader {
  key: Buffer;
  /** null is distinct from an empty value. */
  value: Buffer | null;
}

export interface KafkaRecord {
  attributes: number;
  timestampDelta: number;
  offsetDelta: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: RecordHeader[];
}

function readNullableBytes(r: ByteCursor): Buffer | null {
  const length = r.varint();
  if (length < -1) throw recordFormatError(`invalid length ${length} at byte ${r.pos}`);
  return length === -1 ? null : r.slice(length);
}

/**
 * Enters the record starting at r.pos: reads its length and narrows r.end to the record's end.
 * Returns the previous end, which the caller restores after checking r.pos reached the record end.
 */
export function enterRecord(r: ByteCursor): number {
  const length = r.varint();
  if (length < 0 || length > r.remaining()) {
    throw recordFormatError(`record length ${length} at byte ${r.pos} exceeds the records section`);
  }
  const outerEnd = r.end;
  r.end = r.pos + length;
  return outerEnd;
}

export function leaveRecord(r: ByteCursor, outerEnd: number): void {
  if (r.pos !== r.end) throw recordFormatError(`record ending at byte ${r.end} has ${r.end - r.pos} unread bytes`);
  r.end = outerEnd;
}

function checkCount(count: number): void {
  if (!Number.isInteger(count) || count < 0) throw recordFormatError(`invalid record count ${count}`);
}

function checkFullyRead(r: ByteCursor, count: number): void {
  if (r.pos !== r.end) {
    throw recordFormatError(`records section has ${r.end - r.pos} bytes after its ${count} records`);
  }
}

/** Decodes `count` records filling the whole section. Keys and values are views into the section. */
export function decodeRecords(section: Buffer, count: number): KafkaRecord[] {
  checkCount(count);
  const r = new ByteCursor(section);
  const records: KafkaRecord[] = [];
  for (let i = 0; i < count; i++) {
    const outerEnd = enterRecord(r);
    const attributes = r.int8();
    const timestampDelta = r.varlong();
    const offsetDelta = r.varint();
    const key = readNullableBytes(r);
    const value = readNullableBytes(r);
    const headerCount = r.varint();
    if (headerCount < 0) throw recordFormatError(`invalid header count ${headerCount}`);
    const headers: RecordHeader[] = [];
    for (let h = 0; h < headerCount; h++) {
      const headerKey = readNullableBytes(r);
      if (headerKey === null) throw recordFormatError('record header key is null');
      headers.push({ key: headerKey, value: readNullableBytes(r) });
    }
    leaveRecord(r, outerEnd);
    records.push({ attributes, timestampDelta, offsetDelta, key, value, headers });
  }
  checkFullyRead(r, count);
  return records;
}

function nullableSize(b: Buffer | null): number {
  return b === null ? 1 : varintSize(b.length) + b.length;
}

function writeNullable(out: Buffer, pos: number, b: Buffer | null): number {
  if (b === null) return writeVarint(out, pos, -1);
  pos = writeVarint(out, pos, b.length);
  return pos + b.copy(out, pos);
}

function bodySize(rec: KafkaRecord): number {
  let size = 1 + varlongSize(rec.timestampDelta) + varintSize(rec.offsetDelta);
  size += nullableSize(rec.key) + nullableSize(rec.value) + varintSize(rec.headers.length);
  for (const h of rec.headers) size += nullableSize(h.key) + nullableSize(h.value);
  return size;
}

/** Encodes records into an uncompressed records section: the exact inverse of decodeRecords. */
export function encodeRecords(records: KafkaRecord[]): Buffer {
  const bodySizes = records.map(bodySize);
  let total = 0;
  for (const s of bodySizes) total += varintSize(s) + s;
  const out = Buffer.allocUnsafe(total);
  let pos = 0;
  records.forEach((rec, i) => {
    pos = writeVarint(out, pos, bodySizes[i]!);
    pos = out.writeInt8(rec.attributes, pos);
    pos = writeVarlong(out, pos, rec.timestampDelta);
    pos = writeVarint(out, pos, rec.offsetDelta);
    pos = writeNullable(out, pos, rec.key);
    pos = writeNullable(out, pos, rec.value);
    pos = writeVarint(out, pos, rec.headers.length);
    for (const h of rec.headers) {
      pos = writeNullable(out, pos, h.key);
      pos = writeNullable(out, pos, h.value);
    }
  });
  return out;
}

/**
 * The minimum and maximum of baseTimestamp + timestampDelta over the section's records, reading
 * only each record's length and timestampDelta (keys, values and headers are skipped unread).
 * Undefined when count is 0. The section must be uncompressed.
 */
export function recordTimestampRange(
  section: Buffer,
  count: number,
  baseTimestamp: number,
): { min: number; max: number } | undefined {
  checkCount(count);
  if (count === 0) return undefined;
  const r = new ByteCursor(section);
  let minDelta = Infinity;
  let maxDelta = -Infinity;
  for (let i = 0; i < count; i++) {
    const length = r.varint();
    if (length < 2 || length > r.remaining()) {
      throw recordFormatError(`record length ${length} at byte ${r.pos} exceeds the records section`);
    }
    const next = r.pos + length;
    r.pos++; // attributes
    const delta = r.varlong();
    if (r.pos > next) throw recordFormatError(`record at byte ${r.pos} is shorter than its timestampDelta`);
    if (delta < minDelta) minDelta = delta;
    if (delta > maxDelta) maxDelta = delta;
    r.pos = next;
  }
  checkFullyRead(r, count);
  return { min: safeTimestamp(baseTimestamp + minDelta), max: safeTimestamp(baseTimestamp + maxDelta) };
}

/** The true minimum record timestamp of an uncompressed section; count must be at least 1. */
export function recordTimestampsMin(section: Buffer, count: number, baseTimestamp: number): number {
  const range = recordTimestampRange(section, count, baseTimestamp);
  if (range === undefined) throw recordFormatError('a batch with no records has no minimum timestamp');
  return range.min;
}

function safeTimestamp(t: number): number {
  if (!Number.isSafeInteger(t)) throw recordFormatError(`record timestamp ${t} is not a safe integer`);
  return t;
}
