// StorageBackend on Google Cloud Storage (@google-cloud/storage 7.22.0). Key "a/b" is the object
// "<prefix>/a/b" in the bucket; the client and how each config key is used: client.ts.
//
// Etags are object generations (decimal strings): every write of an object gets a new generation,
// and ifGenerationMatch accepts exactly that token. ifNoneMatch is ifGenerationMatch: 0 (create
// only); both fail with 412 → STORAGE_PRECONDITION. put() is one simple upload (atomic); large
// objects stream through writer.ts. get() downloads with download.ts, not the SDK (see there why).
//
// A 404 from GCS does not say whether the object or the bucket is missing on every server
// (fake-gcs-server answers a bare "Not Found"), so the first object-level 404 is checked once with
// a one-item listing (objects.list, which this backend needs anyway; buckets.get is often not
// granted). After any successful call the bucket is known to exist.
//
// No sweepTemporaryFiles: an unfinished resumable upload creates nothing visible or billable as an
// object; GCS expires its session after a week (writer.ts).

import type { Bucket, File } from '@google-cloud/storage';
import type { GcsStorageConfig } from '../../config/schema-storage.js';
import { KafkaBackupError, isKafkaBackupError } from '../../errors.js';
import type { ByteRange, ObjectInfo, ObjectWriter, PutOptions, StorageBackend } from '../backend.js';
import type { PagedLister } from '../capabilities.js';
import { validateKey, validatePrefix } from '../keys.js';
import { createGcsClient, type GcsClient } from './client.js';
import { download, mediaUrl } from './download.js';
import { httpStatus, mapGcsError, objectMissing, saysBucketMissing, type GcsErrorContext, type GcsVerb } from './errors.js';
import { contentType, GcsWriter } from './writer.js';
import { checkRange, shortRead } from '../ranges.js';

const KiB = 1024;

export interface GcsBackendOptions {
  /** Objects per listing request (GCS allows up to 1000). A test seam; the default is 1000. */
  listPageSize?: number;
  /** A download fails after this long without a byte (default 60 s). A test seam. */
  idleTimeoutMs?: number;
}

export function createGcsBackend(config: GcsStorageConfig): StorageBackend {
  return new GcsBackend(config);
}

export class GcsBackend implements StorageBackend, PagedLister {
  readonly kind = 'gcs';
  readonly location: string;
  readonly #client: GcsClient;
  readonly #bucket: Bucket;
  readonly #bucketName: string;
  /** '' or the config prefix plus one '/'. */
  readonly #base: string;
  readonly #chunkSize: number;
  readonly #pageSize: number;
  readonly #idleTimeoutMs: number;
  #bucketSeen = false;

  constructor(config: GcsStorageConfig, options: GcsBackendOptions = {}) {
    if (config.chunk_size % (256 * KiB) !== 0) {
      throw new KafkaBackupError('CONFIG_INVALID', `storage.chunk_size must be a multiple of 256 KiB (262144 bytes), got ${config.chunk_size}`);
    }
    const prefix = config.prefix.replace(/\/+$/, '');
    this.#base = prefix === '' ? '' : `${prefix}/`;
    this.#bucketName = config.bucket;
    this.location = `gs://${config.bucket}${prefix === '' ? '' : `/${prefix}`}`;
    this.#chunkSize = config.chunk_size;
    this.#pageSize = options.listPageSize ?? 1000;
    this.#idleTimeoutMs = options.idleTimeoutMs ?? 60_000;
    this.#client = createGcsClient(config);
    this.#bucket = this.#client.storage.bucket(config.bucket);
  }

  async put(key: string, data: Buffer, options: PutOptions = {}): Promise<ObjectInfo> {
    const file = this.#file(key);
    const conditional = options.ifNoneMatch === true || options.ifMatch !== undefined;
    const ctx = this.#context('writing', key, conditional);
    if (options.ifNoneMatch === true && options.ifMatch !== undefined) {
      throw new KafkaBackupError('INTERNAL', `put "${key}": ifNoneMatch and ifMatch exclude each other`);
    }
    if (options.ifMatch !== undefined && !/^[0-9]+$/.test(options.ifMatch)) {
      // Not a generation, so no version of the object carries it.
      throw mapGcsError(Object.assign(new Error(`etag ${options.ifMatch} is not a GCS generation`), { code: 412 }), ctx);
    }
    const generation = options.ifNoneMatch === true ? 0 : options.ifMatch;
    try {
      await file.save(data, {
        resumable: false,
        metadata: { contentType },
        ...(generation === undefined ? {} : { preconditionOpts: { ifGenerationMatch: generation } }),
      });
      return this.#seen(this.infoOf(key, file.metadata));
    } catch (err) {
      throw mapGcsError(err, ctx);
    }
  }

  createWriter(key: string): ObjectWriter {
    const file = this.#file(key);
    const context = this.#context('writing', key);
    return new GcsWriter({
      file,
      key,
      chunkSize: this.#chunkSize,
      context,
      agents: this.#client.agents,
      infoOf: (metadata) => this.#seen(this.infoOf(key, metadata)),
      mapError: (err) => mapGcsError(err, context),
    });
  }

  /** Whole object, or [start, end) of it; a range past the end is a short read (STORAGE_IO). */
  async get(key: string, range?: ByteRange): Promise<Buffer> {
    const file = this.#file(key);
    if (range !== undefined) checkRange(key, range);
    const ctx = this.#context('reading', key);
    try {
      if (range !== undefined && range.start === range.end) {
        // GCS has no empty range: ask for the size instead.
        const info = await this.head(key);
        if (info === undefined) throw objectMissing(ctx);
        if (range.end > info.size) throw this.#shortRead(ctx, range, info.size);
        return Buffer.alloc(0);
      }
      const data = await download({
        url: mediaUrl(this.#client.apiEndpoint, this.#bucketName, file.name),
        headers: await this.#client.authHeaders(),
        agents: this.#client.agents,
        ...(range === undefined ? {} : { range }),
        idleTimeoutMs: this.#idleTimeoutMs,
      });
      this.#bucketSeen = true;
      if (range !== undefined && data.length !== range.end - range.start) throw this.#shortRead(ctx, range, range.start + data.length);
      return data;
    } catch (err) {
      if (httpStatus(err) === 416 && range !== undefined) throw this.#shortRead(ctx, range, undefined, err);
      if (await this.#isObjectMissing(err)) throw objectMissing(ctx, err);
      throw mapGcsError(err, ctx);
    }
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    const file = this.#file(key);
    const ctx = this.#context('reading', key);
    try {
      const [metadata] = await file.getMetadata();
      return this.#seen(this.infoOf(key, metadata));
    } catch (err) {
      if (await this.#isObjectMissing(err)) return undefined;
      throw mapGcsError(err, ctx);
    }
  }

  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    for await (const page of this.listPages(prefix)) yield* page;
  }

  /** One page per listing request, in GCS's order (by UTF-8 bytes of the name, as compareKeys). */
  async *listPages(prefix: string): AsyncIterable<ObjectInfo[]> {
    validatePrefix(prefix);
    const ctx = this.#context('listing');
    let query: object | undefined = { prefix: this.#base + prefix, autoPaginate: false, maxResults: this.#pageSize };
    while (query !== undefined) {
      let files: File[];
      let next: object | null | undefined;
      try {
        [files, next] = await this.#bucket.getFiles(query);
      } catch (err) {
        throw mapGcsError(err, ctx);
      }
      this.#bucketSeen = true;
      // Names ending in '/' are folder placeholders (Cloud Console), never keys of ours.
      const page = files.filter((f) => !f.name.endsWith('/')).map((f) => this.infoOf(f.name.slice(this.#base.length), f.metadata));
      if (page.length > 0) yield page;
      query = next ?? undefined;
    }
  }

  /** Removing a missing object is fine; a missing bucket is not. */
  async delete(key: string): Promise<void> {
    const file = this.#file(key);
    const ctx = this.#context('deleting', key);
    try {
      await file.delete();
      this.#bucketSeen = true;
    } catch (err) {
      if (await this.#isObjectMissing(err)) return;
      throw mapGcsError(err, ctx);
    }
  }

  async close(): Promise<void> {
    this.#client.agents.release();
  }

  /** ObjectInfo from object metadata; the etag is the generation (what ifGenerationMatch takes). */
  infoOf(key: string, metadata: { size?: unknown; generation?: unknown }): ObjectInfo {
    const size = Number(metadata.size);
    const generation = metadata.generation;
    if (!Number.isSafeInteger(size) || (typeof generation !== 'string' && typeof generation !== 'number')) {
      throw new KafkaBackupError('STORAGE_IO', `gcs returned no size or generation for "${key}" in ${this.location}`, {
        key,
        location: this.location,
      });
    }
    return { key, size, etag: String(generation) };
  }

  #seen(info: ObjectInfo): ObjectInfo {
    this.#bucketSeen = true;
    return info;
  }

  #file(key: string): File {
    validateKey(key);
    return this.#bucket.file(this.#base + key);
  }

  #context(verb: GcsVerb, key?: string, conditional = false): GcsErrorContext {
    return { verb, bucket: this.#bucketName, location: this.location, ...(key === undefined ? {} : { key }), conditional };
  }

  /** A 404 of a call about one object is the object's, unless the bucket is missing (mapGcsError says so then). */
  async #isObjectMissing(err: unknown): Promise<boolean> {
    if (isKafkaBackupError(err) || httpStatus(err) !== 404 || saysBucketMissing(err)) return false;
    return (await this.#bucketExists()) !== false;
  }

  /** undefined when the check itself failed (then the object-level answer stands). */
  async #bucketExists(): Promise<boolean | undefined> {
    if (this.#bucketSeen) return true;
    try {
      await this.#bucket.getFiles({ prefix: this.#base, maxResults: 1, autoPaginate: false });
      this.#bucketSeen = true;
      return true;
    } catch (err) {
      return httpStatus(err) === 404 ? false : undefined;
    }
  }

  #shortRead(ctx: GcsErrorContext, range: ByteRange, endsAt: number | undefined, cause?: unknown): KafkaBackupError {
    return shortRead({ key: ctx.key ?? "", location: this.location, what: ctx.key ?? "the object", range, ...(endsAt === undefined ? {} : { size: endsAt }), cause });
  }
}
