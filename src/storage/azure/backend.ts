// StorageBackend on Azure Blob Storage (block blobs in one container). Key "a/b" is the blob
// "<prefix>/a/b"; list() strips the prefix again. Client construction and authentication: client.ts;
// the connection pool: agent.ts; streamed uploads with staged blocks: writer.ts; error
// classification: errors.ts.
//
// Atomicity and conditions come from the service: Put Blob and Put Block List replace a blob in one
// step, readers see the old or the new version. put() with ifNoneMatch sends If-None-Match: *
// (Azure answers an existing blob with 409 BlobAlreadyExists, not 412), with ifMatch sends
// If-Match: <etag> (412 ConditionNotMet on a stale etag); both become STORAGE_PRECONDITION. Etags
// are Azure's ETags in quoted form (etag.ts), the token If-Match takes.

import type { BlockBlobClient, ContainerClient } from '@azure/storage-blob';
import type { AzureStorageConfig } from '../../config/schema-storage.js';
import { KafkaBackupError } from '../../errors.js';
import type { ByteRange, ObjectInfo, ObjectWriter, PutOptions, StorageBackend } from '../backend.js';
import type { PagedLister, TemporarySweeper } from '../capabilities.js';
import { validateKey, validatePrefix } from '../keys.js';
import type { RetryPolicy } from '../../retry.js';
import { LengthMismatch, readBody } from './body.js';
import { createAzureClient, type AzureClient } from './client.js';
import { normalizeEtag } from './etag.js';
import { isBlobNotFound, isConditionFailure, mapAzureError, statusOf, type AzureVerb } from './errors.js';
import { AzureBlockWriter } from './writer.js';
import { checkRange, shortRead } from '../ranges.js';

/** Knobs that are not part of the config contract (tests use them). */
export interface AzureTuning {
  /** Blobs per List Blobs request (Azure's maximum and default: 5000). */
  listPageSize?: number;
  /** Retries of the writer's block uploads (default: the retry decorator's policy). */
  writerRetry?: RetryPolicy;
}

export function createAzureBackend(config: AzureStorageConfig, tuning: AzureTuning = {}): StorageBackend {
  return new AzureBackend(config, tuning);
}

export class AzureBackend implements StorageBackend, PagedLister, TemporarySweeper {
  readonly kind = 'azure';
  readonly location: string;
  readonly #client: AzureClient;
  readonly #container: ContainerClient;
  /** The config prefix with a trailing '/', or ''. */
  readonly #prefix: string;

  constructor(
    private readonly config: AzureStorageConfig,
    private readonly tuning: AzureTuning = {},
  ) {
    this.#client = createAzureClient(config);
    this.#container = this.#client.service.getContainerClient(config.container);
    const trimmed = config.prefix.replace(/\/+$/, '');
    this.#prefix = trimmed === '' ? '' : `${trimmed}/`;
    this.location = `azure://${this.#client.account}/${config.container}${trimmed === '' ? '' : `/${trimmed}`}`;
  }

  async put(key: string, data: Buffer, options: PutOptions = {}): Promise<ObjectInfo> {
    const blob = this.#blob(key);
    if (options.ifNoneMatch === true && options.ifMatch !== undefined) {
      throw new KafkaBackupError('INTERNAL', `put "${key}": ifNoneMatch and ifMatch exclude each other`);
    }
    const conditional = options.ifNoneMatch === true || options.ifMatch !== undefined;
    // ifMatch '*' is never sent: the seam's ifMatch is a concrete etag (and Azurite 3.35 accepts '*' on a missing blob).
    const conditions = options.ifNoneMatch === true ? { ifNoneMatch: '*' } : options.ifMatch !== undefined ? { ifMatch: options.ifMatch } : undefined;
    try {
      const response = await blob.upload(data, data.length, conditions === undefined ? {} : { conditions });
      if (response.etag === undefined) throw new KafkaBackupError('STORAGE_IO', `Azure Blob returned no etag for "${key}" in ${this.location}`);
      return { key, size: data.length, etag: normalizeEtag(response.etag) };
    } catch (err) {
      // If-Match on a missing blob: 412 on Azurite; a 404 BlobNotFound would mean the same.
      if (conditional && (isConditionFailure(err) || (options.ifMatch !== undefined && isBlobNotFound(err)))) {
        const why = options.ifNoneMatch === true ? 'it already exists' : `its etag is no longer ${options.ifMatch} (or it was deleted)`;
        throw new KafkaBackupError('STORAGE_PRECONDITION', `conditional write of "${key}" in ${this.location} lost: ${why}`, {
          cause: err,
          key,
          location: this.location,
        });
      }
      throw this.#mapped(err, 'writing', key);
    }
  }

  createWriter(key: string): ObjectWriter {
    const settings = { blockSize: this.config.block_size, maxConcurrentUploads: this.config.max_concurrent_uploads };
    const retry = this.tuning.writerRetry;
    return new AzureBlockWriter(key, this.#blob(key), retry === undefined ? settings : { ...settings, retry }, (err) =>
      this.#mapped(err, 'writing', key),
    );
  }

  /** A range must lie within the object: reading past the end fails with STORAGE_IO ("short read"). */
  async get(key: string, range?: ByteRange): Promise<Buffer> {
    const blob = this.#blob(key);
    if (range !== undefined) checkRange(key, range);
    try {
      if (range !== undefined && range.start === range.end) {
        // download(offset, 0) would mean "to the end": ask for the size instead.
        const info = await this.head(key);
        if (info === undefined) throw this.#mapped({ statusCode: 404, code: 'BlobNotFound' }, 'reading', key);
        if (range.end > info.size) throw this.#shortRead(key, range, info.size);
        return Buffer.alloc(0);
      }
      // maxRetryRequests 0: a body cut mid-way fails the call (retryable) instead of resuming inside the SDK.
      const response = await blob.download(range?.start ?? 0, range === undefined ? undefined : range.end - range.start, {
        maxRetryRequests: 0,
      });
      const length = response.contentLength ?? 0;
      if (range !== undefined && length !== range.end - range.start) {
        // Azure clips a range reaching past the end; drop the body so the connection is not held.
        (response.readableStreamBody as { destroy?: () => void } | undefined)?.destroy?.();
        throw this.#shortRead(key, range, range.start + length);
      }
      return await readBody(response.readableStreamBody, length);
    } catch (err) {
      if (range !== undefined && statusOf(err) === 416) throw this.#shortRead(key, range, undefined, err);
      if (err instanceof LengthMismatch) {
        const message = `Azure Blob: reading "${key}" in ${this.location} failed: ${err.message}, fewer than announced`;
        throw new KafkaBackupError('STORAGE_IO', message, { cause: err, key, location: this.location, retryable: true });
      }
      throw this.#mapped(err, 'reading', key);
    }
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    const blob = this.#blob(key);
    try {
      const props = await blob.getProperties();
      return { key, size: props.contentLength ?? 0, etag: normalizeEtag(props.etag ?? '') };
    } catch (err) {
      if (isBlobNotFound(err)) return undefined;
      throw this.#mapped(err, 'reading', key);
    }
  }

  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    for await (const page of this.listPages(prefix)) yield* page;
  }

  /** One page per List Blobs response; uncommitted blobs (writers not finished) are not listed. */
  async *listPages(prefix: string): AsyncIterable<ObjectInfo[]> {
    validatePrefix(prefix);
    const pages = this.#container
      .listBlobsFlat({ prefix: this.#prefix + prefix })
      .byPage({ maxPageSize: this.tuning.listPageSize ?? 5000 });
    const iterator = pages[Symbol.asyncIterator]();
    try {
      for (;;) {
        const step = await iterator.next().catch((err: unknown) => {
          throw this.#mapped(err, 'listing');
        });
        if (step.done === true) return;
        const infos = step.value.segment.blobItems.map((item) => ({
          key: item.name.slice(this.#prefix.length),
          size: item.properties.contentLength ?? 0,
          etag: normalizeEtag(item.properties.etag),
        }));
        if (infos.length > 0) yield infos;
      }
    } finally {
      await iterator.return?.();
    }
  }

  async delete(key: string): Promise<void> {
    const blob = this.#blob(key);
    try {
      await blob.delete({ deleteSnapshots: 'include' });
    } catch (err) {
      if (!isBlobNotFound(err)) throw this.#mapped(err, 'deleting', key);
    }
  }

  /**
   * Always 0: an unfinished writer leaves only uncommitted blocks, which are invisible, cannot be
   * deleted on their own (deleting the blob would also delete its committed version) and are
   * discarded by Azure at the blob's next commit or after 7 days.
   */
  async sweepTemporaryFiles(_olderThanMs: number, _prefix = ''): Promise<number> {
    return 0;
  }

  async close(): Promise<void> {
    this.#client.agent.destroy();
  }

  #blob(key: string): BlockBlobClient {
    validateKey(key);
    return this.#container.getBlockBlobClient(this.#prefix + key);
  }

  #mapped(err: unknown, verb: AzureVerb, key?: string): KafkaBackupError {
    const context = { verb, location: this.location, account: this.#client.account, container: this.config.container };
    return mapAzureError(err, key === undefined ? context : { ...context, key });
  }

  #shortRead(key: string, range: ByteRange, size: number | undefined, cause?: unknown): KafkaBackupError {
    return shortRead({ key, location: this.location, what: `"${key}"`, range, ...(size === undefined ? {} : { size }), cause });
  }
}
