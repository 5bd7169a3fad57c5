// Read-committed filtering of the batches of one Fetch response partition, the way Kafka's Java
// consumer does it (CompletedFetch.nextFetchedRecord / consumeAbortedTransactionsUpTo).
//
// State is per fetch response: the broker lists, with each partition's data, every aborted
// transaction that overlaps the fetched range (including ones that began before it), so a new
// filter is built for every response and fed that response's batches in offset order.

import { KafkaBackupError } from '../errors.js';
import type { BatchHeader } from './batch.js';
import { controlType } from './control.js';

export interface AbortedTransaction {
  producerId: number;
  /** Offset of the transaction's first batch. */
  firstOffset: number;
}

export class AbortedTransactionFilter {
  /** Aborted transactions not yet reached, sorted by firstOffset. */
  private readonly pending: AbortedTransaction[];
  private next = 0;
  /** Producers whose aborted transaction is open at the current position. */
  private readonly aborted = new Set<number>();

  constructor(abortedTransactions: readonly AbortedTransaction[] | null | undefined) {
    this.pending = [...(abortedTransactions ?? [])].sort((a, b) => a.firstOffset - b.firstOffset);
  }

  /**
   * Whether the batch belongs to an aborted transaction. Call for every batch in offset order.
   * A control batch is never reported aborted (the caller handles control batches itself), but its
   * bytes are required: an ABORT marker ends its producer's aborted transaction.
   */
  isAborted(header: BatchHeader, bytes?: Buffer): boolean {
    if (header.producerId < 0) return false;
    while (this.next < this.pending.length && this.pending[this.next]!.firstOffset <= header.lastOffset) {
      this.aborted.add(this.pending[this.next]!.producerId);
      this.next++;
    }
    if (header.isControl) {
      if (bytes === undefined) {
        throw new KafkaBackupError('INTERNAL', 'AbortedTransactionFilter.isAborted needs the bytes of a control batch');
      }
      if (controlType(bytes) === 'abort') this.aborted.delete(header.producerId);
      return false;
    }
    return header.isTransactional && this.aborted.has(header.producerId);
  }
}
