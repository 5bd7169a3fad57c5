// Kafka RecordBatch (message format v2) header access and the O(batches) walk over fetched bytes.
// Spec: https://kafka.apache.org/documentation/#recordbatch
//
//   baseOffset int64 | batchLength int32 | partitionLeaderEpoch int32 | magic int8 (=2) | crc uint32 |
//   attributes int16 | lastOffsetDelta int32 | baseTimestamp int64 | maxTimestamp int64 |
//   producerId int64 | producerEpoch int16 | baseSequence int32 | recordsCount int32 | records...
//
// batchLength counts the bytes after the batchLength field, so a batch occupies 12 + batchLength
// bytes. The CRC-32C covers attributes to the end of the batch: baseOffset, batchLength,
// partitionLeaderEpoch and magic can be patched without recomputing it. All fields are big-endian.
// Offsets and timestamps are JS numbers; see int64.ts for the < 2^53 invariant.

import { crc32c } from '@node-rs/crc32';
import { KafkaBackupError } from '../errors.js';
import { readSafeInt64 } from './int64.js';

/** Byte offsets of the header fields within a batch. */
export const batchLayout = {
  baseOffset: 0,
  batchLength: 8,
  partitionLeaderEpoch: 12,
  magic: 16,
  crc: 17,
  attributes: 21,
  lastOffsetDelta: 23,
  baseTimestamp: 27,
  maxTimestamp: 35,
  producerId: 43,
  producerEpoch: 51,
  baseSequence: 53,
  recordsCount: 57,
  records: 61,
} as const;

export const BATCH_HEADER_SIZE = 61;
/** Bytes before the part that batchLength counts: baseOffset + batchLength. */
export const LOG_OVERHEAD = 12;
/** The smallest legal batchLength: a header with an empty records section. */
export const MIN_BATCH_LENGTH = BATCH_HEADER_SIZE - LOG_OVERHEAD;

/** Bit masks of the attributes int16. */
export const attributeBits = {
  codec: 0x07,
  logAppendTime: 0x08,
  transactional: 0x10,
  control: 0x20,
  deleteHorizon: 0x40,
} as const;

export interface BatchHeader {
  baseOffset: number;
  /** baseOffset + lastOffsetDelta. */
  lastOffset: number;
  batchLength: number;
  partitionLeaderEpoch: number;
  magic: number;
  /** As stored (unsigned). */
  crc: number;
  attributes: number;
  /** Bits 0-2: 0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd. */
  codec: number;
  /** Bit 3. For 'log-append' every record's timestamp is maxTimestamp. */
  timestampType: 'create' | 'log-append';
  isTransactional: boolean;
  isControl: boolean;
  /** Bit 6 (KIP-534): baseTimestamp is the cleaner's delete horizon; record timestamps are still base + delta. */
  hasDeleteHorizon: boolean;
  lastOffsetDelta: number;
  baseTimestamp: number;
  maxTimestamp: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  recordCount: number;
}

export interface RawBatch {
  header: BatchHeader;
  /** The whole batch, a view into the walked buffer (no copy). */
  bytes: Buffer;
}

function unsupportedMagic(magic: number, offset: number): KafkaBackupError {
  return new KafkaBackupError(
    'RECORD_FORMAT',
    `message format v${magic} at offset ${offset} is not supported; Kafka 4 stores only v2`,
    { magic, offset },
  );
}

/** Parses the 61-byte header at pos. Does not check the CRC or that the whole batch is present. */
export function readBatchHeader(buf: Buffer, pos: number): BatchHeader {
  if (buf.length - pos < BATCH_HEADER_SIZE) {
    throw new KafkaBackupError('RECORD_FORMAT', `record batch header truncated at byte ${pos}`);
  }
  const baseOffset = readSafeInt64(buf, pos, 'baseOffset');
  const magic = buf.readInt8(pos + batchLayout.magic);
  if (magic !== 2) throw unsupportedMagic(magic, baseOffset);
  const attributes = buf.readInt16BE(pos + batchLayout.attributes);
  const lastOffsetDelta = buf.readInt32BE(pos + batchLayout.lastOffsetDelta);
  return {
    baseOffset,
    lastOffset: baseOffset + lastOffsetDelta,
    batchLength: buf.readInt32BE(pos + batchLayout.batchLength),
    partitionLeaderEpoch: buf.readInt32BE(pos + batchLayout.partitionLeaderEpoch),
    magic,
    crc: buf.readUInt32BE(pos + batchLayout.crc),
    attributes,
    codec: attributes & attributeBits.codec,
    timestampType: (attributes & attributeBits.logAppendTime) !== 0 ? 'log-append' : 'create',
    isTransactional: (attributes & attributeBits.transactional) !== 0,
    isControl: (attributes & attributeBits.control) !== 0,
    hasDeleteHorizon: (attributes & attributeBits.deleteHorizon) !== 0,
    lastOffsetDelta,
    baseTimestamp: readSafeInt64(buf, pos + batchLayout.baseTimestamp, 'baseTimestamp'),
    maxTimestamp: readSafeInt64(buf, pos + batchLayout.maxTimestamp, 'maxTimestamp'),
    producerId: readSafeInt64(buf, pos + batchLayout.producerId, 'producerId'),
    producerEpoch: buf.readInt16BE(pos + batchLayout.producerEpoch),
    baseSequence: buf.readInt32BE(pos + batchLayout.baseSequence),
    recordCount: buf.readInt32BE(pos + batchLayout.recordsCount),
  };
}

/**
 * Splits the records bytes of one fetched partition into whole batches, reading headers only.
 * `consumed` is the length of the complete batches; bytes after it are a partial trailing batch
 * (a Fetch response may end mid-batch) that the caller discards and fetches again from the next
 * offset. If `consumed` is 0 while buf is not empty, the first batch is larger than the fetch
 * size limit allowed (brokers return at least one whole batch, KIP-74, unless capped lower).
 * Throws RECORD_FORMAT for message format v0/v1 or a batchLength too small for a header.
 */
export function walkBatches(buf: Buffer): { batches: RawBatch[]; consumed: number } {
  const batches: RawBatch[] = [];
  let pos = 0;
  for (;;) {
    const remaining = buf.length - pos;
    if (remaining < LOG_OVERHEAD) break;
    const batchLength = buf.readInt32BE(pos + batchLayout.batchLength);
    // v0/v1 messages also keep their magic byte at 16; check it first, since their sizes are smaller.
    if (remaining > batchLayout.magic) {
      const magic = buf.readInt8(pos + batchLayout.magic);
      if (magic !== 2) throw unsupportedMagic(magic, readSafeInt64(buf, pos, 'baseOffset'));
    }
    if (batchLength < MIN_BATCH_LENGTH) {
      throw new KafkaBackupError(
        'RECORD_FORMAT',
        `record batch at byte ${pos} has batchLength ${batchLength}, smaller than its header`,
        { batchLength },
      );
    }
    const size = LOG_OVERHEAD + batchLength;
    if (remaining < size) break;
    batches.push({ header: readBatchHeader(buf, pos), bytes: buf.subarray(pos, pos + size) });
    pos += size;
  }
  return { batches, consumed: pos };
}

/** CRC-32C of a batch's attributes..end region: the value its crc field must hold. */
export function computeBatchCrc(bytes: Buffer): number {
  return crc32c(bytes.subarray(batchLayout.attributes));
}

export function verifyBatchCrc(bytes: Buffer): boolean {
  if (bytes.length < BATCH_HEADER_SIZE) return false;
  return computeBatchCrc(bytes) === bytes.readUInt32BE(batchLayout.crc);
}

/** Recomputes and stores the CRC of a batch in place. */
export function writeBatchCrc(bytes: Buffer): void {
  bytes.writeUInt32BE(computeBatchCrc(bytes), batchLayout.crc);
}

/** The records section of a batch (compressed if the codec says so). */
export function recordsSection(bytes: Buffer): Buffer {
  return bytes.subarray(BATCH_HEADER_SIZE);
}
