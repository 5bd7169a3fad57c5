// StorageBackend on Amazon S3 or an S3-compatible store (MinIO, Ceph, R2...). Key "a/b" is the
// object "<prefix>/a/b" in the configured bucket; the bucket must exist.
//
// Atomicity is S3's: a PutObject or CompleteMultipartUpload replaces an object whole. Conditional
// writes are S3's too: If-None-Match: * (create only) and If-Match: <ETag> on PutObject; the
// server answers 412 (or 409 ConditionalRequestConflict while another conditional write to the
// key is in progress, on AWS) and both become STORAGE_PRECONDITION, as does the 404 an If-Match
// put gets when the object is gone. Etags are S3's quoted ETags, which If-Match accepts as they are.
//
// Config keys and where they go: see client.ts (region, endpoint, path_style, credentials,
// request_checksum, max_concurrency), context.ts (server_side_encryption, sse_kms_key_id on every
// PutObject and CreateMultipartUpload) and writer.ts (multipart_threshold, multipart_part_size,
// max_concurrent_uploads).

import { DeleteObjectCommand, GetObjectCommand, HeadBucketCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { KafkaBackupError } from '../../errors.js';
import type { S3StorageConfig } from '../../config/schema-storage.js';
import type { ByteRange, ObjectInfo, ObjectWriter, PutOptions, StorageBackend } from '../backend.js';
import type { PagedLister, TemporarySweeper } from '../capabilities.js';
import { createS3Context, type S3Context } from './context.js';
import { httpStatus, isMissingObject, isPreconditionFailed } from './errors.js';
import { listObjectPages, sweepUploads } from './list.js';
import { readBody } from './body.js';
import { normalizeEtag } from './naming.js';
import { S3Writer } from './writer.js';
import { checkRange, shortRead } from '../ranges.js';

export function createS3Backend(config: S3StorageConfig): StorageBackend {
  return new S3Backend(config);
}

export class S3Backend implements StorageBackend, PagedLister, TemporarySweeper {
  readonly kind = 's3';
  readonly location: string;
  readonly #context: S3Context;
  /** Set once HeadBucket confirmed the bucket; a HEAD 404 cannot tell "no object" from "no bucket". */
  #bucketSeen = false;

  constructor(config: S3StorageConfig) {
    this.#context = createS3Context(config);
    this.location = this.#context.location;
  }

  async put(key: string, data: Buffer, options: PutOptions = {}): Promise<ObjectInfo> {
    const name = this.#context.names.objectName(key);
    const { ifNoneMatch, ifMatch } = options;
    if (ifNoneMatch === true && ifMatch !== undefined) {
      throw new KafkaBackupError('INTERNAL', `put "${key}": ifNoneMatch and ifMatch exclude each other`);
    }
    const conditional = ifNoneMatch === true || ifMatch !== undefined;
    try {
      const answer = await this.#context.clients.client.send(
        new PutObjectCommand({
          Bucket: this.#context.bucket,
          Key: name,
          Body: data,
          ContentLength: data.length,
          ...(ifNoneMatch === true ? { IfNoneMatch: '*' } : {}),
          ...(ifMatch === undefined ? {} : { IfMatch: ifMatch }),
          ...this.#context.encryption,
        }),
      );
      return { key, size: data.length, etag: normalizeEtag(answer.ETag) };
    } catch (err) {
      if (conditional && (isPreconditionFailed(err) || (ifMatch !== undefined && isMissingObject(err)))) {
        const why = ifNoneMatch === true ? 'it already exists' : isMissingObject(err) ? 'it does not exist' : `its etag is not ${ifMatch}`;
        const message = `conditional write of "${key}" in ${this.location} lost: ${why}`;
        throw new KafkaBackupError('STORAGE_PRECONDITION', message, { key, location: this.location, cause: err });
      }
      throw this.#context.fail(err, 'writing', key);
    }
  }

  createWriter(key: string): ObjectWriter {
    return new S3Writer(this.#context, key, this.#context.names.objectName(key));
  }

  /** A range must lie within the object: reading past the end fails with STORAGE_IO ("short read"). */
  async get(key: string, range?: ByteRange): Promise<Buffer> {
    const name = this.#context.names.objectName(key);
    if (range !== undefined) checkRange(key, range);
    // "bytes=5-4" is not a valid Range (S3 answers 416), so an empty range is checked with a HEAD.
    if (range !== undefined && range.start === range.end) {
      const info = await this.head(key);
      if (info === undefined) throw this.#notFound(key);
      if (range.end > info.size) throw this.#shortRead(key, range, info.size);
      return Buffer.alloc(0);
    }
    try {
      const answer = await this.#context.clients.client.send(
        new GetObjectCommand({
          Bucket: this.#context.bucket,
          Key: name,
          ...(range === undefined ? {} : { Range: `bytes=${range.start}-${range.end - 1}` }),
        }),
      );
      const { data, received } = await readBody(answer.Body, answer.ContentLength);
      if (answer.ContentLength !== undefined && received !== answer.ContentLength) {
        throw this.#truncated(key, answer.ContentLength, received);
      }
      // S3 shortens a range that runs past the end instead of refusing it.
      if (range !== undefined && data.length !== range.end - range.start) throw this.#shortRead(key, range, data.length);
      return data;
    } catch (err) {
      throw this.#context.fail(err, 'reading', key);
    }
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    const name = this.#context.names.objectName(key);
    try {
      const answer = await this.#context.clients.client.send(new HeadObjectCommand({ Bucket: this.#context.bucket, Key: name }));
      return { key, size: answer.ContentLength ?? 0, etag: normalizeEtag(answer.ETag) };
    } catch (err) {
      if (isMissingObject(err)) {
        await this.#checkBucket();
        return undefined;
      }
      throw this.#context.fail(err, 'reading', key);
    }
  }

  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    for await (const page of this.listPages(prefix)) yield* page;
  }

  listPages(prefix: string): AsyncIterable<ObjectInfo[]> {
    return listObjectPages(this.#context, prefix);
  }

  async delete(key: string): Promise<void> {
    const name = this.#context.names.objectName(key);
    try {
      await this.#context.clients.client.send(new DeleteObjectCommand({ Bucket: this.#context.bucket, Key: name }));
    } catch (err) {
      if (!isMissingObject(err)) throw this.#context.fail(err, 'deleting', key);
    }
  }

  /** Aborts multipart uploads (of writers that crashed) under prefix, started more than olderThanMs ago. */
  sweepTemporaryFiles(olderThanMs: number, prefix = ''): Promise<number> {
    return sweepUploads(this.#context, olderThanMs, prefix);
  }

  async close(): Promise<void> {
    this.#context.clients.destroy();
  }

  /** After a HEAD 404: a missing bucket is an error, not an absent object. Asked once per backend. */
  async #checkBucket(): Promise<void> {
    if (this.#bucketSeen) return;
    try {
      await this.#context.clients.client.send(new HeadBucketCommand({ Bucket: this.#context.bucket }));
      this.#bucketSeen = true;
    } catch (err) {
      if (httpStatus(err) !== 404) return; // e.g. 403 without s3:ListBucket: cannot tell, keep the answer
      throw this.#context.fail(Object.assign(new Error('HeadBucket: 404'), { name: 'NoSuchBucket', cause: err }), 'reading');
    }
  }

  #notFound(key: string): KafkaBackupError {
    return new KafkaBackupError('STORAGE_NOT_FOUND', `object "${key}" not found in ${this.location}`, { key, location: this.location });
  }

  /** The transfer did not deliver the announced length (a cut connection): transient. */
  #truncated(key: string, announced: number, got: number): KafkaBackupError {
    const message = `s3 read of "${key}" in ${this.location} delivered ${got} of ${announced} bytes`;
    return new KafkaBackupError('STORAGE_IO', message, { key, location: this.location, retryable: true });
  }

  #shortRead(key: string, range: ByteRange | undefined, got: number): KafkaBackupError {
    const size = range === undefined ? got : range.start + got;
    return shortRead({ key, location: this.location, what: `"${key}"`, ...(range === undefined ? {} : { range }), size });
  }
}
