// Assembling a v2 batch from header fields and an already encoded (and, if the codec says so,
// already compressed) records section. batchLength, magic and the CRC are derived here.

import { BATCH_HEADER_SIZE, LOG_OVERHEAD, batchLayout, writeBatchCrc, type BatchHeader } from './batch.js';
import { writeSafeInt64 } from './int64.js';

/** The header fields a writer chooses; batchLength, magic and the CRC are derived. */
export type BatchFields = Pick<
  BatchHeader,
  | 'baseOffset'
  | 'partitionLeaderEpoch'
  | 'attributes'
  | 'lastOffsetDelta'
  | 'baseTimestamp'
  | 'maxTimestamp'
  | 'producerId'
  | 'producerEpoch'
  | 'baseSequence'
  | 'recordCount'
>;

/** Writes every header field except the CRC into out[0, 61). out must hold the whole batch. */
export function writeBatchHeader(out: Buffer, fields: BatchFields): void {
  writeSafeInt64(out, batchLayout.baseOffset, fields.baseOffset, 'baseOffset');
  out.writeInt32BE(out.length - LOG_OVERHEAD, batchLayout.batchLength);
  out.writeInt32BE(fields.partitionLeaderEpoch, batchLayout.partitionLeaderEpoch);
  out.writeInt8(2, batchLayout.magic);
  out.writeInt16BE(fields.attributes, batchLayout.attributes);
  out.writeInt32BE(fields.lastOffsetDelta, batchLayout.lastOffsetDelta);
  writeSafeInt64(out, batchLayout.baseTimestamp, fields.baseTimestamp, 'baseTimestamp');
  writeSafeInt64(out, batchLayout.maxTimestamp, fields.maxTimestamp, 'maxTimestamp');
  writeSafeInt64(out, batchLayout.producerId, fields.producerId, 'producerId');
  out.writeInt16BE(fields.producerEpoch, batchLayout.producerEpoch);
  out.writeInt32BE(fields.baseSequence, batchLayout.baseSequence);
  out.writeInt32BE(fields.recordCount, batchLayout.recordsCount);
}

/** A complete batch: header + records section, with batchLength and CRC-32C filled in. */
export function encodeBatch(fields: BatchFields, records: Buffer): Buffer {
  const out = Buffer.allocUnsafe(BATCH_HEADER_SIZE + records.length);
  records.copy(out, BATCH_HEADER_SIZE);
  writeBatchHeader(out, fields);
  writeBatchCrc(out);
  return out;
}
