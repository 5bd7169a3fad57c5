// Streamed upload. Bytes are buffered until they exceed multipart_threshold: an object that
// finishes by then is one PutObject. Past the threshold a multipart upload starts and every
// multipart_part_size bytes become a part, with at most max_concurrent_uploads parts in flight.
// Memory per writer: up to the threshold while buffering, then about part size × (uploads in
// flight + 1). write() copies the chunk (the caller may reuse it once write() resolves) and
// resolves only when the buffer is below one part again, so a fast producer waits for the uploads.
//
// Invisible until finish(): S3 shows a multipart object only after CompleteMultipartUpload.
// abort() and a failed finish() abort the multipart upload; a crash leaves it on the server, never
// listed as an object, until sweepTemporaryFiles() aborts it (see list.ts).

import { PutObjectCommand } from '@aws-sdk/client-s3';
import { KafkaBackupError } from '../../errors.js';
import type { ObjectInfo, ObjectWriter } from '../backend.js';
import type { S3Context } from './context.js';
import { MultipartUpload } from './multipart.js';
import { normalizeEtag } from './naming.js';
import { withUploadRetries } from './upload-retry.js';
import { SerialSteps } from '../serial-steps.js';

export class S3Writer implements ObjectWriter {
  #chunks: Buffer[] = [];
  #buffered = 0;
  #size = 0;
  #upload: MultipartUpload | undefined;
  #state: 'open' | 'finishing' | 'done' = 'open';
  readonly #steps = new SerialSteps();

  constructor(
    private readonly context: S3Context,
    private readonly key: string,
    private readonly name: string,
  ) {}

  write(chunk: Buffer): Promise<void> {
    if (this.#state !== 'open') return Promise.reject(this.#misuse('write'));
    if (chunk.length === 0) return this.#enqueue(async () => undefined);
    const copy = Buffer.from(chunk);
    return this.#enqueue(() => this.#accept(copy));
  }

  async finish(): Promise<ObjectInfo> {
    if (this.#state !== 'open') throw this.#misuse('finish');
    this.#state = 'finishing';
    try {
      await this.#enqueue(async () => undefined);
      const etag = this.#upload === undefined ? await this.#putWhole() : await this.#completeUpload(this.#upload);
      return { key: this.key, size: this.#size, etag };
    } catch (err) {
      await this.#upload?.abort().catch(() => undefined);
      throw this.context.fail(err, 'writing', this.key);
    } finally {
      this.#state = 'done';
      this.#chunks = [];
    }
  }

  /** Discards what was written and removes the multipart upload. Does nothing after finish(). */
  async abort(): Promise<void> {
    if (this.#state !== 'open') return;
    this.#state = 'done';
    this.#upload?.cancel(); // a write() waiting for a part to finish gives up at once
    await this.#steps.settled();
    this.#chunks = [];
    try {
      await this.#upload?.abort();
    } catch (err) {
      throw this.context.fail(err, 'writing', this.key);
    }
  }

  async #accept(copy: Buffer): Promise<void> {
    this.#chunks.push(copy);
    this.#buffered += copy.length;
    this.#size += copy.length;
    const { threshold, partSize } = this.context.upload;
    if (this.#upload === undefined) {
      if (this.#buffered <= threshold) return;
      this.#upload = await MultipartUpload.start(this.context, this.key, this.name);
    }
    while (this.#buffered >= partSize) await this.#upload.addPart(this.#take(partSize));
  }

  async #putWhole(): Promise<string> {
    const body = this.#take(this.#buffered);
    const input = { Bucket: this.context.bucket, Key: this.name, Body: body, ContentLength: body.length, ...this.context.encryption };
    const answer = await withUploadRetries(() => this.context.clients.client.send(new PutObjectCommand(input)));
    return normalizeEtag(answer.ETag);
  }

  async #completeUpload(upload: MultipartUpload): Promise<string> {
    if (this.#buffered > 0) await upload.addPart(this.#take(this.#buffered)); // the last part may be small
    return upload.complete();
  }

  /** The first `length` buffered bytes as one Buffer. */
  #take(length: number): Buffer {
    let taken = 0;
    let count = 0;
    while (taken < length) taken += this.#chunks[count++]!.length;
    const parts = this.#chunks.slice(0, count);
    const rest = this.#chunks.slice(count);
    if (taken > length) {
      const last = parts[count - 1]!;
      const keep = last.length - (taken - length);
      parts[count - 1] = last.subarray(0, keep);
      rest.unshift(last.subarray(keep));
    }
    this.#chunks = rest;
    this.#buffered -= length;
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts, length);
  }

  #enqueue(step: () => Promise<void>): Promise<void> {
    return this.#steps.run(step).catch((err: unknown) => {
      throw this.context.fail(err, 'writing', this.key);
    });
  }

  #misuse(operation: string): KafkaBackupError {
    return new KafkaBackupError('INTERNAL', `${operation}() on a finished or aborted writer for "${this.key}"`);
  }
}
