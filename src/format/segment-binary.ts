// Encoding and decoding of the fixed-layout parts of a segment: header, block header, index and
// trailer (docs/format.md "Segment (.kbs)"). Decoders check everything the bytes alone can tell
// and throw BACKUP_CORRUPT / FORMAT_UNSUPPORTED naming the object key.

import { crc32c } from '@node-rs/crc32';
import { codecIds } from '../codec/codec.js';
import { KafkaBackupError } from '../errors.js';
import { readSafeInt64, writeSafeInt64 } from '../records/int64.js';
import {
  BLOCK_FLAGS_KNOWN,
  BLOCK_HEADER_SIZE,
  FORMAT_VERSION,
  HEADER_SIZE,
  INDEX_COUNT_SIZE,
  INDEX_ENTRY_SIZE,
  NO_TIMESTAMP,
  SEGMENT_MAGIC,
  TRAILER_MAGIC,
  TRAILER_SIZE,
} from './constants.js';

/** One block as the index describes it (docs/format.md "Index"). */
export interface BlockIndexEntry {
  /** Position of the block's 12-byte header in the segment. */
  position: number;
  storedLength: number;
  rawLength: number;
  baseOffset: number;
  lastOffset: number;
  /** -1 when the block holds no data record. */
  minTimestamp: number;
  maxTimestamp: number;
  dataRecordCount: number;
  batchCount: number;
  flags: number;
}

export interface Trailer {
  indexPosition: number;
  indexLength: number;
  indexCrc: number;
  blockCount: number;
}

export function corrupt(key: string, problem: string, details: Record<string, unknown> = {}): KafkaBackupError {
  return new KafkaBackupError('BACKUP_CORRUPT', `segment ${key} is corrupt: ${problem}`, { key, ...details });
}

/** A stored int64 beyond 2^53 was never written by us: the segment is corrupt. */
function readI64(buf: Buffer, pos: number, key: string, field: string): number {
  return readSafeInt64(buf, pos, field, (name, value) => corrupt(key, `${name} ${value} is out of range`));
}

export function encodeHeader(codecId: number): Buffer {
  const buf = Buffer.alloc(HEADER_SIZE);
  SEGMENT_MAGIC.copy(buf, 0);
  buf.writeUInt16BE(FORMAT_VERSION, 8);
  buf.writeUInt8(codecId, 10);
  return buf;
}

/** Checks magic, version, reserved bytes and codec id, in that order; returns version and codec id. */
export function decodeHeader(buf: Buffer, key: string): { formatVersion: number; codecId: number } {
  if (buf.length !== HEADER_SIZE || !buf.subarray(0, 8).equals(SEGMENT_MAGIC)) throw corrupt(key, 'bad header magic');
  const formatVersion = buf.readUInt16BE(8);
  if (formatVersion > FORMAT_VERSION) {
    throw new KafkaBackupError(
      'FORMAT_UNSUPPORTED',
      `segment ${key} has format version ${formatVersion}; this kafka-backup reads up to ${FORMAT_VERSION}`,
      { key, formatVersion },
    );
  }
  if (formatVersion === 0) throw corrupt(key, 'format version 0');
  if (buf.readUInt8(11) !== 0 || buf.readUInt32BE(12) !== 0) throw corrupt(key, 'reserved header bytes are not zero');
  const codecId = buf.readUInt8(10);
  if (!Object.values(codecIds).includes(codecId)) {
    throw new KafkaBackupError('FORMAT_UNSUPPORTED', `segment ${key} uses unknown codec id ${codecId}`, { key, codecId });
  }
  return { formatVersion, codecId };
}

export function encodeBlockHeader(storedLength: number, rawLength: number, crc: number): Buffer {
  const buf = Buffer.allocUnsafe(BLOCK_HEADER_SIZE);
  buf.writeUInt32BE(storedLength, 0);
  buf.writeUInt32BE(rawLength, 4);
  buf.writeUInt32BE(crc, 8);
  return buf;
}

export function decodeBlockHeader(buf: Buffer): { storedLength: number; rawLength: number; crc: number } {
  return { storedLength: buf.readUInt32BE(0), rawLength: buf.readUInt32BE(4), crc: buf.readUInt32BE(8) };
}

/** The index followed by the trailer: the tail of a segment whose blocks end at indexPosition. */
export function encodeIndexAndTrailer(entries: readonly BlockIndexEntry[], indexPosition: number): Buffer {
  const indexLength = INDEX_COUNT_SIZE + INDEX_ENTRY_SIZE * entries.length;
  const buf = Buffer.alloc(indexLength + TRAILER_SIZE);
  buf.writeUInt32BE(entries.length, 0);
  entries.forEach((e, i) => {
    const at = INDEX_COUNT_SIZE + i * INDEX_ENTRY_SIZE;
    writeSafeInt64(buf, at, e.position, 'block position');
    buf.writeUInt32BE(e.storedLength, at + 8);
    buf.writeUInt32BE(e.rawLength, at + 12);
    writeSafeInt64(buf, at + 16, e.baseOffset, 'base offset');
    writeSafeInt64(buf, at + 24, e.lastOffset, 'last offset');
    writeSafeInt64(buf, at + 32, e.minTimestamp, 'min timestamp');
    writeSafeInt64(buf, at + 40, e.maxTimestamp, 'max timestamp');
    buf.writeUInt32BE(e.dataRecordCount, at + 48);
    buf.writeUInt32BE(e.batchCount, at + 52);
    buf.writeUInt32BE(e.flags, at + 56);
  });
  const t = indexLength;
  writeSafeInt64(buf, t, indexPosition, 'index position');
  buf.writeUInt32BE(indexLength, t + 8);
  buf.writeUInt32BE(crc32c(buf.subarray(0, indexLength)), t + 12);
  buf.writeUInt32BE(entries.length, t + 16);
  TRAILER_MAGIC.copy(buf, t + 24);
  return buf;
}

/** Decodes the trailer and checks it against the object size. */
export function decodeTrailer(buf: Buffer, key: string, size: number): Trailer {
  if (buf.length !== TRAILER_SIZE) throw corrupt(key, `truncated: trailer is ${buf.length} bytes`);
  if (!buf.subarray(24, 32).equals(TRAILER_MAGIC)) throw corrupt(key, 'bad trailer magic (truncated or damaged)');
  if (buf.readUInt32BE(20) !== 0) throw corrupt(key, 'reserved trailer bytes are not zero');
  const indexPosition = readI64(buf, 0, key, 'index position');
  const indexLength = buf.readUInt32BE(8);
  const blockCount = buf.readUInt32BE(16);
  if (blockCount < 1 || indexLength !== INDEX_COUNT_SIZE + INDEX_ENTRY_SIZE * blockCount) {
    throw corrupt(key, `trailer block count ${blockCount} disagrees with index length ${indexLength}`);
  }
  if (indexPosition + indexLength + TRAILER_SIZE !== size) {
    throw corrupt(key, `index at ${indexPosition} (+${indexLength}) does not end where the trailer of a ${size}-byte object starts`);
  }
  return { indexPosition, indexLength, indexCrc: buf.readUInt32BE(12), blockCount };
}

/** Decodes the index, checking its CRC and that its blocks tile [header end, index position). */
export function decodeIndex(buf: Buffer, key: string, trailer: Trailer): BlockIndexEntry[] {
  if (buf.length !== trailer.indexLength) throw corrupt(key, `truncated: index is ${buf.length} bytes`);
  if (crc32c(buf) !== trailer.indexCrc) throw corrupt(key, 'index CRC mismatch');
  const count = buf.readUInt32BE(0);
  if (count !== trailer.blockCount) throw corrupt(key, `index holds ${count} entries, trailer says ${trailer.blockCount}`);
  const entries: BlockIndexEntry[] = [];
  let expectedPosition = HEADER_SIZE;
  let previousLast = -1;
  for (let i = 0; i < count; i++) {
    const at = INDEX_COUNT_SIZE + i * INDEX_ENTRY_SIZE;
    const e: BlockIndexEntry = {
      position: readI64(buf, at, key, 'block position'),
      storedLength: buf.readUInt32BE(at + 8),
      rawLength: buf.readUInt32BE(at + 12),
      baseOffset: readI64(buf, at + 16, key, 'base offset'),
      lastOffset: readI64(buf, at + 24, key, 'last offset'),
      minTimestamp: readI64(buf, at + 32, key, 'min timestamp'),
      maxTimestamp: readI64(buf, at + 40, key, 'max timestamp'),
      dataRecordCount: buf.readUInt32BE(at + 48),
      batchCount: buf.readUInt32BE(at + 52),
      flags: buf.readUInt32BE(at + 56),
    };
    const problem = entryProblem(e, expectedPosition, previousLast, buf.readUInt32BE(at + 60));
    if (problem) throw corrupt(key, `index entry of block ${i} ${problem}`, { block: i });
    entries.push(e);
    expectedPosition = e.position + BLOCK_HEADER_SIZE + e.storedLength;
    previousLast = e.lastOffset;
  }
  if (expectedPosition !== trailer.indexPosition) throw corrupt(key, 'blocks do not end where the index starts');
  return entries;
}

function entryProblem(e: BlockIndexEntry, position: number, previousLast: number, reserved: number): string | undefined {
  if (e.position !== position) return `has position ${e.position}, expected ${position}`;
  if (e.baseOffset <= previousLast || e.lastOffset < e.baseOffset) return 'has an out-of-order offset range';
  if (e.batchCount < 1) return 'has no batches';
  const noRecordTime = e.minTimestamp === NO_TIMESTAMP && e.maxTimestamp === NO_TIMESTAMP;
  if (e.minTimestamp > e.maxTimestamp || (e.dataRecordCount === 0 && !noRecordTime)) {
    return 'has an invalid timestamp range';
  }
  if ((e.flags & ~BLOCK_FLAGS_KNOWN) !== 0 || reserved !== 0) return 'has unknown flags or reserved bits set';
  return undefined;
}
