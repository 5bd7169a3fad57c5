// Streamed upload to a block blob with staged blocks. Bytes are cut into blocks of block_size;
// each full block is sent with stageBlock while the caller keeps writing, at most
// max_concurrent_uploads at a time; finish() stages the rest and commits the block list, which is
// the moment the blob (or its new version) appears. An object that ends before its first block
// is full is sent with one Put Blob call instead.
//
// Memory per writer: at most block_size × (max_concurrent_uploads + 1): the blocks in flight and
// the block being filled (which starts at 256 KiB and grows, so small objects stay small; after the
// first block, blocks are allocated at block_size). write() is the backpressure point:
// it resolves when the chunk is copied into the current block, waiting for a free upload slot
// whenever a block is full.
//
// Visibility: staged blocks are uncommitted, so neither get/head nor list see them, and an older
// version stays readable until the commit. abort() and a crash leave only uncommitted blocks,
// which no API can delete without deleting the blob itself (which would remove an older committed
// version); Azure discards them by itself when the blob is next committed, or after 7 days.
//
// Retries: the SDK's own retries are off (client.ts), so the writer retries each retryable
// stageBlock/commit/upload itself (they are idempotent: same block id, same block list), with the
// decorator's policy; the retry decorator does not replay streamed uploads.

import { randomBytes } from 'node:crypto';
import type { BlockBlobClient } from '@azure/storage-blob';
import { KafkaBackupError } from '../../errors.js';
import type { ObjectInfo, ObjectWriter } from '../backend.js';
import { retry, type RetryPolicy } from '../../retry.js';
import { defaultRetryPolicy } from '../retry.js';
import { normalizeEtag } from './etag.js';

export interface BlockSettings {
  blockSize: number;
  maxConcurrentUploads: number;
  retry?: RetryPolicy;
}

/** Azure's limit of committed blocks per blob. */
const maxBlocks = 50_000;

export class AzureBlockWriter implements ObjectWriter {
  /** The block being filled: grows from 256 KiB while the object may still be small, then block_size. */
  #block: Buffer | undefined;
  #pendingBytes = 0;
  #size = 0;
  readonly #blockIds: string[] = [];
  readonly #inFlight = new Set<Promise<void>>();
  /** A block upload that failed for good; every later call rejects with it. */
  #failure: KafkaBackupError | undefined;
  #state: 'open' | 'finishing' | 'done' = 'open';
  /** write() steps run one after another in call order, even when callers do not await each one. */
  #queue: Promise<void> = Promise.resolve();
  /** Block ids must all have the same length within a blob; a random part keeps writers apart. */
  readonly #idPrefix = randomBytes(12).toString('hex');

  constructor(
    private readonly key: string,
    private readonly blob: BlockBlobClient,
    private readonly settings: BlockSettings,
    private readonly mapError: (err: unknown) => KafkaBackupError,
  ) {}

  write(chunk: Buffer): Promise<void> {
    if (this.#state !== 'open') return Promise.reject(this.#misuse('write'));
    const run = this.#queue.then(() => this.#accept(chunk));
    // A failed write fails the writer: finish() must not commit an object with a hole in it.
    this.#queue = run.catch((err: unknown) => {
      this.#failure ??= this.mapError(err);
    });
    return run;
  }

  async finish(): Promise<ObjectInfo> {
    if (this.#state !== 'open') throw this.#misuse('finish');
    this.#state = 'finishing';
    try {
      await this.#queue;
      this.#throwIfFailed();
      let etag: string | undefined;
      if (this.#blockIds.length === 0) {
        const data = this.#takePending();
        etag = (await this.#retrying(() => this.blob.upload(data, data.length))).etag;
      } else {
        if (this.#pendingBytes > 0) await this.#dispatch();
        await Promise.all(this.#inFlight);
        this.#throwIfFailed();
        etag = (await this.#retrying(() => this.blob.commitBlockList(this.#blockIds))).etag;
      }
      if (etag === undefined) throw new KafkaBackupError('STORAGE_IO', `Azure Blob returned no etag for "${this.key}"`);
      return { key: this.key, size: this.#size, etag: normalizeEtag(etag) };
    } catch (err) {
      throw this.mapError(err);
    } finally {
      this.#state = 'done';
      this.#forget();
    }
  }

  /** Nothing was committed, so nothing is visible: wait for blocks in flight, then forget them. */
  async abort(): Promise<void> {
    if (this.#state !== 'open') return;
    this.#state = 'done';
    await this.#queue;
    await Promise.allSettled(this.#inFlight);
    this.#forget();
  }

  async #accept(chunk: Buffer): Promise<void> {
    this.#throwIfFailed();
    const { blockSize } = this.settings;
    for (let offset = 0; offset < chunk.length; ) {
      const take = Math.min(chunk.length - offset, blockSize - this.#pendingBytes);
      const block = this.#reserve(this.#pendingBytes + take);
      chunk.copy(block, this.#pendingBytes, offset, offset + take); // a copy: the caller reuses chunk
      this.#pendingBytes += take;
      this.#size += take;
      offset += take;
      if (this.#pendingBytes === blockSize) await this.#dispatch();
    }
  }

  /** Sends the pending bytes as the next block, once fewer than max_concurrent_uploads are in flight. */
  async #dispatch(): Promise<void> {
    const block = this.#takePending();
    while (this.#inFlight.size >= this.settings.maxConcurrentUploads) await Promise.race(this.#inFlight);
    this.#throwIfFailed();
    if (this.#blockIds.length >= maxBlocks) {
      const message = `"${this.key}" needs more than ${maxBlocks} blocks of ${this.settings.blockSize} bytes: raise storage.block_size`;
      throw new KafkaBackupError('STORAGE_IO', message, { key: this.key, retryable: false });
    }
    const id = Buffer.from(`${this.#idPrefix}-${String(this.#blockIds.length).padStart(6, '0')}`).toString('base64');
    this.#blockIds.push(id);
    const upload: Promise<void> = this.#retrying(() => this.blob.stageBlock(id, block, block.length))
      .then(
        () => undefined,
        (err: unknown) => {
          this.#failure ??= this.mapError(err);
        },
      )
      .finally(() => this.#inFlight.delete(upload));
    this.#inFlight.add(upload);
  }

  /** The current block with room for `needed` bytes. */
  #reserve(needed: number): Buffer {
    const current = this.#block;
    if (current !== undefined && current.length >= needed) return current;
    const { blockSize } = this.settings;
    // Small objects (most writers) never allocate a whole block; once one block went out, the object is large.
    const size = this.#blockIds.length > 0 ? blockSize : Math.min(blockSize, Math.max(needed, 2 * (current?.length ?? 0), 256 * 1024));
    const next = Buffer.allocUnsafe(size);
    current?.copy(next, 0, 0, this.#pendingBytes);
    this.#block = next;
    return next;
  }

  #takePending(): Buffer {
    const data = this.#block === undefined ? Buffer.alloc(0) : this.#block.subarray(0, this.#pendingBytes);
    this.#block = undefined;
    this.#pendingBytes = 0;
    return data;
  }

  /** Retries what mapError calls retryable, until the writer is done (finished or aborted). */
  #retrying<T>(operation: () => Promise<T>): Promise<T> {
    return retry(
      () =>
        operation().catch((err: unknown) => {
          throw this.mapError(err);
        }),
      {
        policy: this.settings.retry ?? defaultRetryPolicy,
        isRetryable: (mapped) => (mapped as KafkaBackupError).retryable && this.#state !== 'done',
      },
    );
  }

  #throwIfFailed(): void {
    if (this.#failure !== undefined) throw this.#failure;
  }

  #forget(): void {
    this.#block = undefined;
    this.#pendingBytes = 0;
    this.#blockIds.length = 0;
  }

  #misuse(operation: string): KafkaBackupError {
    return new KafkaBackupError('INTERNAL', `${operation}() on a finished or aborted writer for "${this.key}"`);
  }
}
