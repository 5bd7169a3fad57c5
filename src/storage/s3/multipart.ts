// One S3 multipart upload: CreateMultipartUpload, UploadPart with at most `queueSize` parts in
// flight, CompleteMultipartUpload or AbortMultipartUpload. Written by hand rather than with
// @aws-sdk/lib-storage's Upload: Upload reads a stream and decides single PUT vs multipart by its
// part size (not by multipart_threshold), and its abort() rejects done() at once while the
// AbortMultipartUpload happens later in the background, or never when the body stream is left
// open; here abort() resolves only once the upload is gone from the server.
//
// Checksums follow lib-storage: with request_checksum when_supported the upload declares CRC32 and
// CompleteMultipartUpload lists each part's CRC32; with when_required there are none.

import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  UploadPartCommand,
  type CompletedPart,
  type CreateMultipartUploadCommandInput,
  type UploadPartCommandInput,
} from '@aws-sdk/client-s3';
import { KafkaBackupError } from '../../errors.js';
import type { S3Context } from './context.js';
import { errorName } from './errors.js';
import { normalizeEtag } from './naming.js';
import { withUploadRetries } from './upload-retry.js';

/** S3's limit on parts per upload. */
export const MAX_PARTS = 10_000;

export class MultipartUpload {
  readonly #inFlight = new Set<Promise<void>>();
  readonly #parts: CompletedPart[] = [];
  readonly #cancel = new AbortController();
  #nextPart = 1;
  #failure: unknown;

  private constructor(
    private readonly context: S3Context,
    private readonly key: string,
    private readonly name: string,
    private readonly uploadId: string,
  ) {}

  static async start(context: S3Context, key: string, name: string): Promise<MultipartUpload> {
    const input: CreateMultipartUploadCommandInput = {
      Bucket: context.bucket,
      Key: name,
      ...context.encryption,
      ...(context.checksums ? { ChecksumAlgorithm: 'CRC32' } : {}),
    };
    const created = await withUploadRetries(() => context.clients.client.send(new CreateMultipartUploadCommand(input)));
    if (created.UploadId === undefined) {
      throw new KafkaBackupError('STORAGE_IO', `s3 CreateMultipartUpload for "${key}" in ${context.location} returned no UploadId`, {
        key,
        location: context.location,
        retryable: false,
      });
    }
    return new MultipartUpload(context, key, name, created.UploadId);
  }

  /**
   * Starts uploading body as the next part. Resolves once the part is on its way, after waiting
   * for a free place among the `queueSize` parts in flight (the writer's backpressure). Rejects
   * with the first failure of any earlier part.
   */
  async addPart(body: Buffer): Promise<void> {
    while (this.#inFlight.size >= this.context.upload.queueSize) await Promise.race(this.#inFlight);
    if (this.#failure !== undefined) throw this.#failure;
    const partNumber = this.#nextPart++;
    if (partNumber > MAX_PARTS) {
      const message = `s3 object "${this.key}" in ${this.context.location} needs more than ${MAX_PARTS} parts: raise multipart_part_size`;
      throw new KafkaBackupError('STORAGE_IO', message, { key: this.key, location: this.context.location, retryable: false });
    }
    const input: UploadPartCommandInput = {
      Bucket: this.context.bucket,
      Key: this.name,
      UploadId: this.uploadId,
      PartNumber: partNumber,
      Body: body,
      ContentLength: body.length,
      ...(this.context.checksums ? { ChecksumAlgorithm: 'CRC32' } : {}),
    };
    const signal = this.#cancel.signal;
    const sent = withUploadRetries(() => this.context.clients.client.send(new UploadPartCommand(input), { abortSignal: signal }), signal)
      .then(
        (answer) => {
          this.#parts.push({
            PartNumber: partNumber,
            ETag: answer.ETag,
            ...(answer.ChecksumCRC32 === undefined ? {} : { ChecksumCRC32: answer.ChecksumCRC32 }),
          });
        },
        (err: unknown) => {
          this.#failure ??= err;
        },
      )
      .finally(() => this.#inFlight.delete(sent));
    this.#inFlight.add(sent);
  }

  /** Waits for every part, then completes the upload; resolves to the object's ETag. */
  async complete(): Promise<string> {
    await Promise.all(this.#inFlight);
    if (this.#failure !== undefined) throw this.#failure;
    const parts = [...this.#parts].sort((a, b) => (a.PartNumber ?? 0) - (b.PartNumber ?? 0));
    const input = {
      Bucket: this.context.bucket,
      Key: this.name,
      UploadId: this.uploadId,
      MultipartUpload: { Parts: parts },
    };
    const done = await withUploadRetries(() => this.context.clients.client.send(new CompleteMultipartUploadCommand(input)));
    return normalizeEtag(done.ETag);
  }

  /** Makes the parts in flight fail now (their requests are aborted); abort() still has to follow. */
  cancel(): void {
    this.#cancel.abort();
  }

  /** Cancels parts in flight and removes the upload and its stored parts from the server. */
  async abort(): Promise<void> {
    this.cancel();
    await Promise.all(this.#inFlight);
    try {
      const input = { Bucket: this.context.bucket, Key: this.name, UploadId: this.uploadId };
      await withUploadRetries(() => this.context.clients.client.send(new AbortMultipartUploadCommand(input)));
    } catch (err) {
      if (errorName(err) !== 'NoSuchUpload') throw err; // already gone (a sweep): nothing left
    }
  }
}
