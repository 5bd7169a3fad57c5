// What every batch produced by a restore carries, whichever path built it.

import { type BatchHeader, batchLayout } from './batch.js';
import { writeSafeInt64 } from './int64.js';

export interface ProducerStamp {
  /** -1 for a non-idempotent producer (then epoch and sequence are -1 too). */
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
}

export const NON_IDEMPOTENT: ProducerStamp = { producerId: -1, producerEpoch: -1, baseSequence: -1 };

/**
 * Writes baseOffset 0, partitionLeaderEpoch -1 (the broker overwrites both) and the stamp's
 * producer fields into a batch, in place. The caller recomputes the CRC.
 */
export function writeProduceHeader(out: Buffer, stamp: ProducerStamp): void {
  writeSafeInt64(out, batchLayout.baseOffset, 0, 'baseOffset');
  out.writeInt32BE(-1, batchLayout.partitionLeaderEpoch);
  writeSafeInt64(out, batchLayout.producerId, stamp.producerId, 'producerId');
  out.writeInt16BE(stamp.producerEpoch, batchLayout.producerEpoch);
  out.writeInt32BE(stamp.baseSequence, batchLayout.baseSequence);
}

/** An inclusive range of source offsets. */
export interface SourceRange {
  first: number;
  last: number;
}

/** Appends the inclusive range [first, last] to ranges, merging with the last one when contiguous. */
export function addSourceRange(ranges: SourceRange[], first: number, last: number): void {
  const prev = ranges[ranges.length - 1];
  if (prev !== undefined && prev.last + 1 === first) prev.last = last;
  else ranges.push({ first, last });
}

/** Whether the broker accepts the batch's offsets as they are: at least one record, no gaps. */
export function hasContiguousOffsets(header: BatchHeader): boolean {
  return header.recordCount > 0 && header.recordCount === header.lastOffsetDelta + 1;
}
