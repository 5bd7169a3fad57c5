// Idempotent-producer state of one partition, checked the way Kafka's broker checks it
// (ProducerStateManager / ProducerAppendInfo and UnifiedLog.analyzeAndValidateProducerState):
// - a batch equal (epoch, first and last sequence) to one of the producer's last five batches is a
//   duplicate: it is not appended again and the answer is the original's base offset, no error;
// - otherwise, with the same epoch, its first sequence must follow the last one (wrapping after
//   2^31-1), else OUT_OF_ORDER_SEQUENCE_NUMBER;
// - a new (higher) epoch must start at sequence 0, unless the producer has no state here yet;
// - a lower epoch than the one seen is fenced: INVALID_PRODUCER_EPOCH;
// - a producer with no state on the partition (new, or its records deleted) may start at any sequence.
import type { BatchHeader } from '../../../src/records/batch.js';
import { errorCode } from './errors.js';

/** How many batches per producer the broker remembers for duplicate detection (Kafka's NUM_BATCHES_TO_RETAIN). */
const BATCHES_TO_RETAIN = 5;

interface BatchMetadata {
  firstSeq: number;
  lastSeq: number;
  firstOffset: number;
  lastOffset: number;
}

interface ProducerEntry {
  epoch: number;
  batches: BatchMetadata[];
}

export type SequenceCheck = { kind: 'append' } | { kind: 'duplicate'; baseOffset: number } | { kind: 'error'; errorCode: number };

const INT32_MAX = 2 ** 31 - 1;

function lastSequence(h: BatchHeader): number {
  const last = h.baseSequence + h.lastOffsetDelta;
  return last > INT32_MAX ? last - INT32_MAX - 1 : last;
}

export class ProducerStates {
  private readonly entries = new Map<number, ProducerEntry>();

  /** What the broker does with a batch of an idempotent producer (producerId >= 0). */
  check(h: BatchHeader): SequenceCheck {
    const entry = this.entries.get(h.producerId);
    if (entry === undefined) return { kind: 'append' };
    if (h.producerEpoch < entry.epoch) return { kind: 'error', errorCode: errorCode('INVALID_PRODUCER_EPOCH') };
    if (h.producerEpoch > entry.epoch) {
      return h.baseSequence === 0 ? { kind: 'append' } : { kind: 'error', errorCode: errorCode('OUT_OF_ORDER_SEQUENCE_NUMBER') };
    }
    const dup = entry.batches.find((b) => b.firstSeq === h.baseSequence && b.lastSeq === lastSequence(h));
    if (dup !== undefined) return { kind: 'duplicate', baseOffset: dup.firstOffset };
    const last = entry.batches[entry.batches.length - 1];
    const inSequence = last === undefined || h.baseSequence === last.lastSeq + 1 || (h.baseSequence === 0 && last.lastSeq === INT32_MAX);
    return inSequence ? { kind: 'append' } : { kind: 'error', errorCode: errorCode('OUT_OF_ORDER_SEQUENCE_NUMBER') };
  }

  /** Records an appended batch (its offsets as assigned). */
  appended(h: BatchHeader, baseOffset: number): void {
    let entry = this.entries.get(h.producerId);
    if (entry === undefined || h.producerEpoch !== entry.epoch) {
      entry = { epoch: h.producerEpoch, batches: [] };
      this.entries.set(h.producerId, entry);
    }
    entry.batches.push({ firstSeq: h.baseSequence, lastSeq: lastSequence(h), firstOffset: baseOffset, lastOffset: baseOffset + h.lastOffsetDelta });
    if (entry.batches.length > BATCHES_TO_RETAIN) entry.batches.shift();
  }

  /** Forgets producers whose every remembered batch lies below the log start (DeleteRecords, retention). */
  truncate(logStartOffset: number): void {
    for (const [id, entry] of this.entries) {
      if (entry.batches.every((b) => b.lastOffset < logStartOffset)) this.entries.delete(id);
    }
  }
}
