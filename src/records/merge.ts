// Restore's batching of small batches: several consecutive uncompressed create-time batches that
// need no rebuild become one produce batch. Records are not decoded into objects: each record's
// length, offsetDelta and timestampDelta varints are rewritten relative to the new batch and the
// rest of the record (key, value, headers) is copied byte for byte.

import { KafkaBackupError } from '../errors.js';
import { BATCH_HEADER_SIZE, type BatchHeader, LOG_OVERHEAD, type RawBatch, writeBatchCrc } from './batch.js';
import { writeBatchHeader } from './encode-batch.js';
import { type ProducerStamp, type SourceRange, addSourceRange, hasContiguousOffsets } from './stamp.js';
import { ByteCursor } from './cursor.js';
import { recordFormatError, varintSize, varlongSize, writeVarint, writeVarlong } from './varint.js';

export interface MergedBatch {
  bytes: Buffer;
  recordCount: number;
  /** Source offsets of the first and last record. */
  firstOffset: number;
  lastOffset: number;
  /** Source offsets of the records, in order, as inclusive ranges (parts may leave gaps between them). */
  sourceRanges: SourceRange[];
}

function checkPart(header: BatchHeader, bytes: Buffer): void {
  if (
    header.codec !== 0 ||
    header.timestampType !== 'create' ||
    header.isControl ||
    !hasContiguousOffsets(header) ||
    bytes.length !== LOG_OVERHEAD + header.batchLength
  ) {
    throw new KafkaBackupError(
      'INTERNAL',
      `mergeUncompressed needs uncompressed create-time batches without gaps; batch at offset ${header.baseOffset} is not one`,
    );
  }
}

/**
 * Combines the parts, in order, into one batch stamped for produce: baseTimestamp is the first
 * record's timestamp, every record keeps its exact timestamp, offsetDeltas run 0..n-1, attributes
 * are 0 (uncompressed, create time, not transactional), maxTimestamp is the largest timestamp.
 * The caller chooses how many parts make one batch (produce batch size, max.message.bytes).
 */
export function mergeUncompressed(parts: readonly RawBatch[], stamp: ProducerStamp): MergedBatch {
  if (parts.length === 0) throw new KafkaBackupError('INTERNAL', 'mergeUncompressed needs at least one batch');
  let count = 0;
  for (const { header, bytes } of parts) {
    checkPart(header, bytes);
    count += header.recordCount;
  }
  // Pass 1: locate each record's parts and its absolute timestamp; size the output.
  const attrPos = new Int32Array(count);
  const restStart = new Int32Array(count);
  const restEnd = new Int32Array(count);
  const timestamps = new Float64Array(count);
  const sourceRanges: SourceRange[] = [];
  let i = 0;
  for (const { header, bytes } of parts) {
    const r = new ByteCursor(bytes, BATCH_HEADER_SIZE);
    for (let delta = 0; delta < header.recordCount; delta++, i++) {
      const length = r.varint();
      if (length < 0 || length > r.remaining()) throw recordFormatError(`record length ${length} at byte ${r.pos} exceeds its batch`);
      const end = r.pos + length;
      attrPos[i] = r.pos;
      r.end = end;
      r.int8();
      timestamps[i] = header.baseTimestamp + r.varlong();
      const offsetDelta = r.varint();
      if (offsetDelta !== delta) {
        throw recordFormatError(`record ${delta} of batch at offset ${header.baseOffset} has offsetDelta ${offsetDelta}`);
      }
      restStart[i] = r.pos;
      restEnd[i] = end;
      r.pos = end;
      r.end = bytes.length;
    }
    if (r.pos !== bytes.length) throw recordFormatError(`batch at offset ${header.baseOffset} has bytes after its records`);
    addSourceRange(sourceRanges, header.baseOffset, header.lastOffset);
  }
  const baseTimestamp = timestamps[0]!;
  let maxTimestamp = baseTimestamp;
  let size = BATCH_HEADER_SIZE;
  for (let k = 0; k < count; k++) {
    const t = timestamps[k]!;
    if (!Number.isSafeInteger(t)) throw recordFormatError(`record timestamp ${t} is not a safe integer`);
    if (t > maxTimestamp) maxTimestamp = t;
    const body = 1 + varlongSize(t - baseTimestamp) + varintSize(k) + restEnd[k]! - restStart[k]!;
    size += varintSize(body) + body;
  }

  // Pass 2: write.
  const out = Buffer.allocUnsafe(size);
  let pos = BATCH_HEADER_SIZE;
  i = 0;
  for (const { header, bytes } of parts) {
    for (let delta = 0; delta < header.recordCount; delta++, i++) {
      const tsDelta = timestamps[i]! - baseTimestamp;
      const start = restStart[i]!;
      const end = restEnd[i]!;
      pos = writeVarint(out, pos, 1 + varlongSize(tsDelta) + varintSize(i) + end - start);
      out[pos++] = bytes[attrPos[i]!]!;
      pos = writeVarlong(out, pos, tsDelta);
      pos = writeVarint(out, pos, i);
      pos += bytes.copy(out, pos, start, end);
    }
  }
  writeBatchHeader(out, {
    baseOffset: 0,
    partitionLeaderEpoch: -1,
    attributes: 0,
    lastOffsetDelta: count - 1,
    baseTimestamp,
    maxTimestamp,
    producerId: stamp.producerId,
    producerEpoch: stamp.producerEpoch,
    baseSequence: stamp.baseSequence,
    recordCount: count,
  });
  writeBatchCrc(out);
  return {
    bytes: out,
    recordCount: count,
    firstOffset: sourceRanges[0]!.first,
    lastOffset: sourceRanges[sourceRanges.length - 1]!.last,
    sourceRanges,
  };
}
