// One partition's log: real RecordBatch bytes with their offsets, as a broker's log holds them.
// Offsets only grow; compacted logs have gaps (batches seeded with explicit offsets); a log start
// above 0 models deleted records; open transactions hold the last stable offset down; aborted
// transactions are indexed (producer, first offset, marker offset) for read-committed fetches.
import { LOG_OVERHEAD, batchLayout, readBatchHeader, type BatchHeader } from '../../../src/records/batch.js';
import { writeSafeInt64 } from '../../../src/records/int64.js';
import { buildControlBatch } from '../../records/build.js';
import { ProducerStates } from './producer-state.js';

export interface StoredBatch {
  header: BatchHeader;
  bytes: Buffer;
}

export interface AbortedTxn {
  producerId: number;
  firstOffset: number;
  /** Offset of the abort marker. */
  lastOffset: number;
}

export interface LogRead {
  /** Whole batches, possibly followed by a partial one (cut at the size limit). */
  records: Buffer;
  abortedTransactions: { producerId: number; firstOffset: number }[];
}

export class PartitionLog {
  readonly batches: StoredBatch[] = [];
  logStartOffset = 0;
  /** The next offset to assign. One replica in sync with itself: the high watermark equals it. */
  logEndOffset = 0;
  leaderEpoch = 0;
  readonly producers = new ProducerStates();
  /** Producer id → offset of its open transaction's first batch on this partition. */
  readonly openTxns = new Map<number, number>();
  readonly abortedIndex: AbortedTxn[] = [];
  private listeners: (() => void)[] = [];

  get highWatermark(): number {
    return this.logEndOffset;
  }

  /** The first offset of the oldest open transaction, or the high watermark. */
  get lastStableOffset(): number {
    return Math.min(this.highWatermark, ...this.openTxns.values());
  }

  /**
   * Appends a batch at the log end: the broker overwrites baseOffset and partitionLeaderEpoch
   * (both outside the CRC). Returns the base offset given.
   */
  append(bytes: Buffer): number {
    const copy = Buffer.from(bytes);
    const baseOffset = this.logEndOffset;
    writeSafeInt64(copy, batchLayout.baseOffset, baseOffset, 'baseOffset');
    copy.writeInt32BE(this.leaderEpoch, batchLayout.partitionLeaderEpoch);
    this.store(copy);
    return baseOffset;
  }

  /**
   * Appends a batch keeping its own offsets (a compacted log's batches, with gaps inside and
   * between them). Its base offset must be at or past the log end.
   */
  appendAsIs(bytes: Buffer): void {
    const h = readBatchHeader(bytes, 0);
    if (h.baseOffset < this.logEndOffset) {
      throw new Error(`batch at offset ${h.baseOffset} is below the log end ${this.logEndOffset}`);
    }
    this.store(Buffer.from(bytes));
  }

  /** Writes a transaction marker for a producer and closes its transaction here. */
  appendMarker(producerId: number, producerEpoch: number, type: 'commit' | 'abort', timestamp = Date.now()): void {
    const first = this.openTxns.get(producerId);
    const offset = this.append(buildControlBatch({ baseOffset: 0, producerId, producerEpoch, type, timestamp }));
    this.openTxns.delete(producerId);
    if (type === 'abort' && first !== undefined) this.abortedIndex.push({ producerId, firstOffset: first, lastOffset: offset });
  }

  /** Records the first offset of a producer's transaction the first time it writes here. */
  noteTransactional(producerId: number, offset: number): void {
    if (!this.openTxns.has(producerId)) this.openTxns.set(producerId, offset);
  }

  /** DeleteRecords: the log start moves up to `offset`; batches wholly below it are dropped. */
  deleteRecordsBefore(offset: number): void {
    if (offset > this.highWatermark) throw new Error(`cannot delete records up to ${offset}: the high watermark is ${this.highWatermark}`);
    if (offset <= this.logStartOffset) return;
    this.logStartOffset = offset;
    while (this.batches.length > 0 && this.batches[0]!.header.lastOffset < offset) this.batches.shift();
    this.producers.truncate(offset);
  }

  /**
   * What a Fetch at `fetchOffset` reads: from the batch holding that offset (the whole batch, even
   * when the offset is inside it) up to `maxOffset` exclusive (the last stable offset when read
   * committed), cut at `maxBytes`; with `minOneBatch` the first batch comes whole even when larger.
   * The cut may leave a partial batch at the end, as Kafka's log slices do.
   */
  read(fetchOffset: number, maxOffset: number, maxBytes: number, minOneBatch: boolean, readCommitted: boolean): LogRead {
    const first = this.indexOf(fetchOffset);
    const parts: Buffer[] = [];
    let available = 0;
    for (let i = first; i < this.batches.length && this.batches[i]!.header.baseOffset < maxOffset; i++) {
      parts.push(this.batches[i]!.bytes);
      available += this.batches[i]!.bytes.length;
    }
    const firstSize = parts[0]?.length ?? 0;
    const size = Math.min(available, minOneBatch ? Math.max(maxBytes, firstSize) : maxBytes);
    const records = Buffer.concat(parts).subarray(0, size);
    if (!readCommitted) return { records, abortedTransactions: [] };
    // Kafka's upper bound: the first batch starting at or after the end of the slice, else the log end.
    let upper = this.logEndOffset;
    let pos = 0;
    for (let i = first; i < this.batches.length; i++) {
      if (pos >= size) {
        upper = this.batches[i]!.header.baseOffset;
        break;
      }
      pos += this.batches[i]!.bytes.length;
    }
    const abortedTransactions = this.abortedIndex
      .filter((t) => t.lastOffset >= fetchOffset && t.firstOffset < upper)
      .map((t) => ({ producerId: t.producerId, firstOffset: t.firstOffset }));
    return { records, abortedTransactions };
  }

  /** Resolves at the next append (for fetches waiting for data). */
  nextAppend(): Promise<void> {
    return new Promise((resolve) => this.listeners.push(resolve));
  }

  /** Index of the first batch whose last offset is at or past `offset` (batches.length if none). */
  private indexOf(offset: number): number {
    let lo = 0;
    let hi = this.batches.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.batches[mid]!.header.lastOffset < offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private store(bytes: Buffer): void {
    if (bytes.length < LOG_OVERHEAD) throw new Error('not a record batch');
    const header = readBatchHeader(bytes, 0);
    this.batches.push({ header, bytes });
    this.logEndOffset = header.lastOffset + 1;
    const waiting = this.listeners;
    this.listeners = [];
    for (const wake of waiting) wake();
  }
}
