// Reads a segment with ranged gets only (docs/format.md "Segment (.kbs)", "Reader checks"): header
// and trailer, then the index, then the blocks asked for. Every failure names the object key.

import { crc32c } from '@node-rs/crc32';
import type { Codec } from '../codec/codec.js';
import { codecById } from '../codec/index.js';
import { describeError, isKafkaBackupError, KafkaBackupError } from '../errors.js';
import { walkBatches, type BatchHeader } from '../records/batch.js';
import type { ByteRange, StorageBackend } from '../storage/backend.js';
import { prefetchGet } from '../storage/capabilities.js';
import { BLOCK_HEADER_SIZE, HEADER_SIZE, MIN_SEGMENT_SIZE, TRAILER_SIZE } from './constants.js';
import {
  corrupt,
  decodeBlockHeader,
  decodeHeader,
  decodeIndex,
  decodeTrailer,
  type BlockIndexEntry,
} from './segment-binary.js';

export type { BlockIndexEntry } from './segment-binary.js';

type Loaded = { raw: Buffer; batches: StoredBatch[] };

export interface StoredBatch {
  header: BatchHeader;
  /** The batch exactly as stored, a view into its block's raw bytes. */
  bytes: Buffer;
}

export interface SegmentReadOptions {
  /** Object size when known (the manifest's stored_bytes): saves a head request. */
  size?: number;
}

export class SegmentReader {
  readonly key: string;
  readonly codec: Codec;
  readonly formatVersion: number;
  readonly blocks: readonly BlockIndexEntry[];
  readonly #storage: StorageBackend;
  /** The first block, started by tryOpen() with a free slot. */
  #ahead: Promise<Loaded> | undefined;

  private constructor(storage: StorageBackend, key: string, codec: Codec, formatVersion: number, blocks: BlockIndexEntry[]) {
    this.#storage = storage;
    this.key = key;
    this.codec = codec;
    this.formatVersion = formatVersion;
    this.blocks = blocks;
  }

  static async open(storage: StorageBackend, key: string, options: SegmentReadOptions = {}): Promise<SegmentReader> {
    let size = options.size;
    if (size === undefined) {
      const info = await storage.head(key);
      if (!info) throw new KafkaBackupError('STORAGE_NOT_FOUND', `segment ${key} does not exist`, { key });
      size = info.size;
    }
    const reader = await SegmentReader.#open(storage, key, size, (range) => storage.get(key, range));
    return reader!;
  }

  /**
   * Restore's look-ahead: opens the segment (and starts reading its first block) only with
   * storage slots that are free right now (try-acquire), so it never delays a read the pipeline
   * waits for. Undefined when a slot was not free; then open() it when it is needed. `size` is
   * the manifest's stored_bytes.
   */
  static async tryOpen(storage: StorageBackend, key: string, size: number): Promise<SegmentReader | undefined> {
    try {
      const reader = await SegmentReader.#open(storage, key, size, (range) => prefetchGet(storage, key, range));
      if (reader && reader.blocks.length > 0) reader.#ahead = reader.#speculate(0);
      return reader;
    } catch {
      return undefined; // whatever went wrong, open() will meet it again and report it properly
    }
  }

  static async #open(
    storage: StorageBackend,
    key: string,
    size: number,
    get: (range: ByteRange) => Promise<Buffer> | undefined,
  ): Promise<SegmentReader | undefined> {
    if (size < MIN_SEGMENT_SIZE) throw corrupt(key, `truncated: ${size} bytes is less than any segment`);
    const headerRead = get({ start: 0, end: HEADER_SIZE });
    const trailerRead = get({ start: size - TRAILER_SIZE, end: size });
    if (!headerRead || !trailerRead) {
      headerRead?.catch(() => undefined);
      trailerRead?.catch(() => undefined);
      return undefined;
    }
    const [headerBytes, trailerBytes] = await Promise.all([headerRead, trailerRead]);
    const { formatVersion, codecId } = decodeHeader(headerBytes, key);
    const trailer = decodeTrailer(trailerBytes, key, size);
    const indexRead = get({ start: trailer.indexPosition, end: trailer.indexPosition + trailer.indexLength });
    if (!indexRead) return undefined;
    const blocks = decodeIndex(await indexRead, key, trailer);
    return new SegmentReader(storage, key, codecById(codecId), formatVersion, blocks);
  }

  /** The raw bytes of block i (its batches, concatenated), fully verified. */
  async readBlock(i: number): Promise<Buffer> {
    return (await this.#loadBlock(i)).raw;
  }

  /**
   * Every stored batch in offset order, from the first whose lastOffset >= fromOffset. Block i+1
   * is fetched while the consumer works on block i: at most two blocks are held at once. With
   * `blocks`, only the blocks it accepts are read (the others are never fetched).
   */
  async *batches(options: { fromOffset?: number; blocks?: (entry: BlockIndexEntry, index: number) => boolean } = {}): AsyncGenerator<StoredBatch> {
    const from = options.fromOffset ?? 0;
    const accept = options.blocks ?? (() => true);
    const wanted = (j: number): number => {
      while (j < this.blocks.length && !accept(this.blocks[j]!, j)) j++;
      return j;
    };
    const first = this.blocks.findIndex((b) => b.lastOffset >= from);
    if (first < 0) return;
    let i = wanted(first);
    if (i >= this.blocks.length) return;
    let next: Promise<Loaded> | undefined = i === 0 && this.#ahead ? this.#ahead : this.#prefetch(i);
    this.#ahead = undefined;
    while (next) {
      const current = await next;
      i = wanted(i + 1);
      // The next block is read ahead only if a storage slot is free now; otherwise on demand.
      next = i < this.blocks.length ? (this.#speculate(i) ?? this.#deferred(i)) : undefined;
      for (const batch of current.batches) {
        if (batch.header.lastOffset >= from) yield batch;
      }
    }
  }

  // A prefetch the consumer abandons (it stopped iterating) must not become an unhandled rejection.
  #prefetch(i: number): Promise<Loaded> {
    const p = this.#loadBlock(i);
    p.catch(() => undefined);
    return p;
  }

  /** Block i read with a free storage slot, or undefined when none is free. */
  #speculate(i: number): Promise<Loaded> | undefined {
    const read = prefetchGet(this.#storage, this.key, this.#blockRange(i));
    if (!read) return undefined;
    const p = read.then((bytes) => this.#decodeBlock(i, bytes));
    p.catch(() => undefined);
    return p;
  }

  /** Block i, read only when awaited (a thenable, so nothing starts before the consumer asks). */
  #deferred(i: number): Promise<Loaded> {
    let started: Promise<Loaded> | undefined;
    const load = () => (started ??= this.#loadBlock(i));
    return { then: (ok, fail) => load().then(ok, fail) } as Promise<Loaded>;
  }

  #blockRange(i: number): ByteRange {
    const entry = this.#entry(i);
    return { start: entry.position, end: entry.position + BLOCK_HEADER_SIZE + entry.storedLength };
  }

  #entry(i: number): BlockIndexEntry {
    const entry = this.blocks[i];
    if (!entry) throw new KafkaBackupError('INTERNAL', `segment ${this.key} has no block ${i}`, { key: this.key });
    return entry;
  }

  async #loadBlock(i: number): Promise<Loaded> {
    return this.#decodeBlock(i, await this.#storage.get(this.key, this.#blockRange(i)));
  }

  async #decodeBlock(i: number, bytes: Buffer): Promise<Loaded> {
    const entry = this.#entry(i);
    const { name, where } = this.#blockWhere(i);
    if (bytes.length !== BLOCK_HEADER_SIZE + entry.storedLength) throw corrupt(this.key, `${name} is truncated`, where);
    const header = decodeBlockHeader(bytes);
    if (header.storedLength !== entry.storedLength || header.rawLength !== entry.rawLength) {
      throw corrupt(this.key, `${name} header disagrees with the index`, where);
    }
    // The block's checksum is checked before anything of it is decompressed or handed on: a
    // damaged block yields no batch at all (restore produces nothing of it).
    const stored = bytes.subarray(BLOCK_HEADER_SIZE);
    if (crc32c(stored) !== header.crc) throw corrupt(this.key, `${name} CRC mismatch`, where);
    let raw: Buffer;
    try {
      raw = await this.codec.decompress(stored, entry.rawLength);
    } catch (err) {
      if (!isKafkaBackupError(err, 'BACKUP_CORRUPT')) throw err;
      throw corrupt(this.key, `${name}: ${describeError(err)}`, { ...where, cause: err });
    }
    if (raw.length !== entry.rawLength) throw corrupt(this.key, `${name} decompressed to ${raw.length} bytes`, where);
    return { raw, batches: this.#checkBatches(raw, entry, i) };
  }

  /** How errors name block i: its number and the offsets the index says it holds. */
  #blockWhere(i: number): { name: string; where: { block: number; first_offset: number; last_offset: number } } {
    const e = this.#entry(i);
    return { name: `block ${i} (offsets ${e.baseOffset}..${e.lastOffset})`, where: { block: i, first_offset: e.baseOffset, last_offset: e.lastOffset } };
  }

  #checkBatches(raw: Buffer, entry: BlockIndexEntry, i: number): StoredBatch[] {
    let walked: ReturnType<typeof walkBatches>;
    try {
      walked = walkBatches(raw);
    } catch (err) {
      const { name, where } = this.#blockWhere(i);
      throw corrupt(this.key, `${name} holds a malformed record batch: ${describeError(err)}`, { ...where, cause: err });
    }
    const { batches, consumed } = walked;
    const first = batches[0]?.header;
    const last = batches.at(-1)?.header;
    let problem: string | undefined;
    if (consumed !== raw.length || !first || !last) problem = 'batches do not exactly fill the block';
    else if (batches.length !== entry.batchCount) problem = `holds ${batches.length} batches, the index says ${entry.batchCount}`;
    else if (first.baseOffset !== entry.baseOffset || last.lastOffset !== entry.lastOffset) {
      problem = `batches span [${first.baseOffset}, ${last.lastOffset}], the index says [${entry.baseOffset}, ${entry.lastOffset}]`;
    } else {
      let previousLast = entry.baseOffset - 1;
      for (const { header } of batches) {
        if (header.baseOffset <= previousLast || header.lastOffset < header.baseOffset) {
          problem = 'batches are out of offset order';
          break;
        }
        previousLast = header.lastOffset;
      }
    }
    if (problem) {
      const { name, where } = this.#blockWhere(i);
      throw corrupt(this.key, `${name}: ${problem}`, where);
    }
    return batches;
  }
}
