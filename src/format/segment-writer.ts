// Writes one segment object in a single forward pass (docs/format.md "Segment (.kbs)"): header,
// blocks as they fill, then index and trailer. This is the backup's hot path: the only per-batch
// work is the time-range walk and, for batches still pending when append() returns, one copy.

import { createHash, type Hash } from 'node:crypto';
import { crc32c } from '@node-rs/crc32';
import type { Codec } from '../codec/codec.js';
import { KafkaBackupError } from '../errors.js';
import type { BatchHeader } from '../records/batch.js';
import { batchTimeRange } from '../records/effective-time.js';
import type { ObjectWriter } from '../storage/backend.js';
import {
  BLOCK_FLAG_COMPACTED,
  BLOCK_FLAG_CONTROL,
  BLOCK_FLAG_TRANSACTIONAL,
  NO_TIMESTAMP,
  U32_MAX,
} from './constants.js';
import type { SegmentSummary } from './manifest.js';
import { encodeBlockHeader, encodeHeader, encodeIndexAndTrailer, type BlockIndexEntry } from './segment-binary.js';

/** Sealed blocks compressing or waiting to be written at once: enough to keep two cores busy. */
const MAX_SEALED_IN_FLIGHT = 3;

export interface SegmentWriterOptions {
  key: string;
  out: ObjectWriter;
  codec: Codec;
  /** Raw bytes per block; a batch larger than this forms a block on its own. */
  blockMaxBytes: number;
}

/** Statistics of the block being filled: its index entry, less what sealing it decides. */
type OpenBlock = Omit<BlockIndexEntry, 'position' | 'storedLength' | 'rawLength'> & {
  /** Whether min/maxTimestamp hold a record's time yet (-1 is also a possible record time). */
  timed: boolean;
};

export class SegmentWriter {
  readonly key: string;
  readonly #out: ObjectWriter;
  readonly #codec: Codec;
  readonly #blockMaxBytes: number;
  readonly #hash: Hash = createHash('sha256');
  readonly #entries: BlockIndexEntry[] = [];
  #position = 0;
  #state: 'open' | 'busy' | 'failed' | 'finished' | 'aborted' = 'open';

  // The block being filled. #chunks[#borrowedFrom..] still alias the caller's buffers: they are
  // copied before append() returns, unless a seal consumed them first (then no copy is needed).
  #chunks: Buffer[] = [];
  #borrowedFrom = 0;
  #pending = 0;
  #block: OpenBlock | undefined;

  #rawBytes = 0;
  #batchCount = 0;
  /** Writes of sealed blocks, chained so they reach storage in order. */
  #writeQueue: Promise<void> = Promise.resolve();
  #sealed: Promise<void>[] = [];
  /** The first failed block write; append() and finish() report it from then on. */
  #failure: unknown;
  #baseOffset: number | undefined;
  #lastOffset: number | undefined;

  constructor(options: SegmentWriterOptions) {
    const { blockMaxBytes } = options;
    if (!Number.isSafeInteger(blockMaxBytes) || blockMaxBytes < 1 || blockMaxBytes > U32_MAX) {
      throw new KafkaBackupError('INTERNAL', `invalid blockMaxBytes ${blockMaxBytes}`);
    }
    this.key = options.key;
    this.#out = options.out;
    this.#codec = options.codec;
    this.#blockMaxBytes = blockMaxBytes;
  }

  /** Raw batch bytes appended so far, sealed or not. */
  get rawBytes(): number {
    return this.#rawBytes;
  }
  /** Raw bytes of the block not yet sealed. */
  get pendingBytes(): number {
    return this.#pending;
  }
  get batchCount(): number {
    return this.#batchCount;
  }
  get baseOffset(): number | undefined {
    return this.#baseOffset;
  }
  get lastOffset(): number | undefined {
    return this.#lastOffset;
  }
  get isEmpty(): boolean {
    return this.#batchCount === 0;
  }

  /** Add batches in offset order. The caller may reuse their buffers once this resolves. */
  async append(batches: readonly { header: BatchHeader; bytes: Buffer }[]): Promise<void> {
    this.#enter('append');
    try {
      if (this.#failure !== undefined) throw this.#failure;
      this.#borrowedFrom = this.#chunks.length;
      for (const { header, bytes } of batches) {
        if (this.#pending > 0 && this.#pending + bytes.length > this.#blockMaxBytes) await this.#seal();
        await this.#add(header, bytes);
        if (this.#pending >= this.#blockMaxBytes) await this.#seal();
      }
      for (let i = this.#borrowedFrom; i < this.#chunks.length; i++) this.#chunks[i] = Buffer.from(this.#chunks[i]!);
      this.#borrowedFrom = this.#chunks.length;
      this.#state = 'open';
    } catch (err) {
      this.#state = 'failed';
      throw err;
    }
  }

  /** Seal the last block, write index and trailer, and complete the upload. */
  async finish(): Promise<SegmentSummary> {
    this.#enter('finish');
    if (this.isEmpty) {
      this.#state = 'failed';
      throw new KafkaBackupError('INTERNAL', `segment ${this.key}: finish() on a writer with no batches`);
    }
    try {
      if (this.#block) await this.#seal();
      await this.#drain();
      await this.#write(encodeIndexAndTrailer(this.#entries, this.#position));
      const info = await this.#out.finish();
      if (info.size !== this.#position) {
        throw new KafkaBackupError('STORAGE_IO', `segment ${this.key}: stored ${info.size} bytes, wrote ${this.#position}`, {
          key: this.key,
        });
      }
      this.#state = 'finished';
      return this.#summary();
    } catch (err) {
      this.#state = 'failed';
      throw err;
    }
  }

  /** Abandon the upload: nothing becomes visible under the key. */
  async abort(): Promise<void> {
    if (this.#state === 'finished' || this.#state === 'aborted') return;
    this.#state = 'aborted';
    await this.#drain().catch(() => undefined); // let queued block writes settle before discarding
    await this.#out.abort();
  }

  #enter(what: string): void {
    if (this.#state !== 'open') {
      throw new KafkaBackupError('INTERNAL', `segment ${this.key}: ${what}() while the writer is ${this.#state}`);
    }
    this.#state = 'busy';
  }

  async #add(header: BatchHeader, bytes: Buffer): Promise<void> {
    if (header.lastOffset < header.baseOffset || (this.#lastOffset !== undefined && header.baseOffset <= this.#lastOffset)) {
      throw new KafkaBackupError(
        'INTERNAL',
        `segment ${this.key}: batch [${header.baseOffset}, ${header.lastOffset}] does not follow offset ${this.#lastOffset}`,
      );
    }
    const block = (this.#block ??= {
      baseOffset: header.baseOffset,
      lastOffset: header.lastOffset,
      minTimestamp: NO_TIMESTAMP,
      maxTimestamp: NO_TIMESTAMP,
      dataRecordCount: 0,
      batchCount: 0,
      flags: 0,
      timed: false,
    });
    block.lastOffset = header.lastOffset;
    block.batchCount++;
    if (header.isControl) block.flags |= BLOCK_FLAG_CONTROL;
    if (header.isTransactional) block.flags |= BLOCK_FLAG_TRANSACTIONAL;
    if (header.recordCount !== header.lastOffset - header.baseOffset + 1) block.flags |= BLOCK_FLAG_COMPACTED;
    if (!header.isControl) {
      block.dataRecordCount += header.recordCount;
      const range = await batchTimeRange(header, bytes);
      if (range) {
        block.minTimestamp = block.timed ? Math.min(block.minTimestamp, range.min) : range.min;
        block.maxTimestamp = block.timed ? Math.max(block.maxTimestamp, range.max) : range.max;
        block.timed = true;
      }
    }
    this.#chunks.push(bytes);
    this.#pending += bytes.length;
    this.#rawBytes += bytes.length;
    this.#batchCount++;
    this.#baseOffset ??= header.baseOffset;
    this.#lastOffset = header.lastOffset;
  }

  /**
   * Seal the current block: its compression starts now (on the libuv threadpool) and its write is
   * queued behind the blocks sealed before it, so several blocks compress in parallel while the
   * bytes still reach storage in order. At most MAX_SEALED_IN_FLIGHT blocks wait at once.
   */
  async #seal(): Promise<void> {
    const block = this.#block;
    if (!block) return;
    const owned = this.#chunks.length === 1 && this.#borrowedFrom > 0;
    // A lone chunk may be the caller's buffer; the block outlives append(), so own a copy.
    const raw =
      this.#chunks.length === 1 ? (owned ? this.#chunks[0]! : Buffer.from(this.#chunks[0]!)) : Buffer.concat(this.#chunks, this.#pending);
    this.#chunks = [];
    this.#borrowedFrom = 0;
    this.#pending = 0;
    this.#block = undefined;
    const compressed = this.#codec.compress(raw);
    compressed.catch(() => undefined); // observed through the write queue below
    const { timed: _timed, ...stats } = block;
    const written = this.#writeQueue.then(async () => {
      const stored = await compressed;
      if (raw.length > U32_MAX || stored.length > U32_MAX || block.dataRecordCount > U32_MAX) {
        throw new KafkaBackupError('INTERNAL', `segment ${this.key}: block of ${raw.length} bytes exceeds the format's limits`);
      }
      if (this.#position === 0) await this.#write(encodeHeader(this.#codec.id));
      const position = this.#position;
      await this.#write(encodeBlockHeader(stored.length, raw.length, crc32c(stored)));
      await this.#write(stored);
      this.#entries.push({ position, storedLength: stored.length, rawLength: raw.length, ...stats });
    });
    // A block write fails in the background (a full disk) while the caller may be waiting on
    // something else: recorded here, so it is never an unhandled rejection (which ends the process
    // with a stack trace), and reported by the next append() or finish().
    written.catch((err: unknown) => {
      this.#failure ??= err;
    });
    this.#writeQueue = written;
    this.#sealed.push(written);
    while (this.#sealed.length >= MAX_SEALED_IN_FLIGHT) await this.#sealed.shift();
  }

  /** Wait until every sealed block is written. */
  async #drain(): Promise<void> {
    const all = this.#sealed;
    this.#sealed = [];
    await Promise.all(all);
  }

  async #write(chunk: Buffer): Promise<void> {
    this.#hash.update(chunk);
    this.#position += chunk.length;
    await this.#out.write(chunk);
  }

  #summary(): SegmentSummary {
    let min = NO_TIMESTAMP;
    let max = NO_TIMESTAMP;
    let records = 0;
    let first = true;
    for (const e of this.#entries) {
      records += e.dataRecordCount;
      if (e.dataRecordCount === 0) continue;
      min = first ? e.minTimestamp : Math.min(min, e.minTimestamp);
      max = first ? e.maxTimestamp : Math.max(max, e.maxTimestamp);
      first = false;
    }
    return {
      key: this.key,
      base_offset: this.#baseOffset!,
      last_offset: this.#lastOffset!,
      record_count: records,
      batch_count: this.#batchCount,
      min_timestamp: min,
      max_timestamp: max,
      raw_bytes: this.#rawBytes,
      stored_bytes: this.#position,
      block_count: this.#entries.length,
      codec: this.#codec.name,
      sha256: this.#hash.digest('hex'),
    };
  }
}
