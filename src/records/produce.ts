// Turning a stored batch into one a broker accepts from a producer (Kafka's LogValidator rules,
// see /work/shared/notes/performance-facts.md section 3.2):
// - baseOffset and partitionLeaderEpoch are overwritten by the broker; we send 0 and -1.
// - Offsets must be contiguous (recordCount = lastOffsetDelta + 1): compacted batches are rebuilt.
// - Producers may not set LogAppendTime: such batches are rebuilt with each record's visible
//   timestamp (maxTimestamp) as its create time.
// - Restored batches are not transactional; the delete-horizon bit is cleared so the target's
//   cleaner does not read baseTimestamp as a horizon. Record timestamps (base + delta) are unchanged.
// - Control batches are never produced.
// - The producer id, epoch and base sequence come from the restoring producer (ProducerStamp).
// Any change inside attributes..end requires a new CRC-32C.

import { KafkaBackupError } from '../errors.js';
import { type BatchHeader, LOG_OVERHEAD, attributeBits, batchLayout, writeBatchCrc } from './batch.js';
import { type ProducerStamp, hasContiguousOffsets, writeProduceHeader } from './stamp.js';

export { rebuildBatch, visitRecords, type RebuildOptions, type RebuiltBatch } from './rebuild.js';
export { mergeUncompressed, type MergedBatch } from './merge.js';
export { NON_IDEMPOTENT, type ProducerStamp, type SourceRange } from './stamp.js';

/** Bits a produced batch must not carry: log-append time, transactional, delete horizon. */
const CLEARED_BITS = attributeBits.logAppendTime | attributeBits.transactional | attributeBits.deleteHorizon;

/**
 * Whether the batch must go through rebuildBatch rather than stampForProduce: offset gaps left by
 * compaction (or no records at all), log-append timestamps, or (when bytes are given) a length
 * that disagrees with batchLength.
 */
export function needsRebuild(header: BatchHeader, bytes?: Buffer): boolean {
  return (
    !hasContiguousOffsets(header) ||
    header.timestampType === 'log-append' ||
    (bytes !== undefined && bytes.length !== LOG_OVERHEAD + header.batchLength)
  );
}

/**
 * The fast path for a batch that needs no rebuild: a copy with baseOffset 0, partitionLeaderEpoch
 * -1, the log-append/transactional/delete-horizon bits cleared (codec and other bits kept), the
 * stamp's producer fields and a new CRC. Records (compressed or not) are copied untouched.
 */
export function stampForProduce(bytes: Buffer, stamp: ProducerStamp): Buffer {
  const attributes = bytes.readInt16BE(batchLayout.attributes);
  if ((attributes & attributeBits.control) !== 0) {
    throw new KafkaBackupError('INTERNAL', 'stampForProduce called on a control batch');
  }
  const out = Buffer.allocUnsafe(bytes.length);
  bytes.copy(out);
  out.writeInt16BE(attributes & ~CLEARED_BITS, batchLayout.attributes);
  writeProduceHeader(out, stamp);
  writeBatchCrc(out);
  return out;
}
