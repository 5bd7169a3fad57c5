// Streamed upload of one object. Bytes are held in memory until a full chunk (chunk_size) has
// arrived: an object that ends before that is written with one simple upload at finish(). A larger
// one goes through a resumable upload (file.createWriteStream, resumable, chunkSize), which sends
// one chunk per request and keeps that chunk in memory until it is acknowledged.
//
// Backpressure is ours, not the stream's: in multi-chunk mode the SDK (7.22.0) releases a pending
// write each time it takes a buffer from its queue, and it takes every buffer twice (once to
// measure the chunk, once to send it), so its queue grows with the object (measured: a quarter of
// the bytes written, with 64 KiB writes and 256 KiB chunks). write() therefore waits until at most
// one chunk is queued beyond what the SDK has sent (its 'progress' events): memory per writer is
// about two chunks (one being sent, the next one filling) plus one write.
//
// Visibility: GCS creates the object only when the final chunk is accepted, so nothing is visible
// before finish() and an older version stays readable. abort() destroys the stream and cancels
// the session (DELETE on the session URI; sessions left behind by a crash expire on their own
// after a week and are never visible, so this backend has nothing for sweepTemporaryFiles to do).
//
// finish() checks that the stored size equals the bytes written (the SDK also compares CRC32C):
// fake-gcs-server commits what it received so far when a session is queried or broken off
// (docs/testing.md), and a short object must never pass as a finished segment.

import http from 'node:http';
import https from 'node:https';
import type { Writable } from 'node:stream';
import type { File } from '@google-cloud/storage';
import { KafkaBackupError } from '../../errors.js';
import type { ObjectInfo, ObjectWriter } from '../backend.js';
import type { GcsErrorContext } from './errors.js';
import type { GcsAgents } from './http-pool.js';
import { SerialSteps } from '../serial-steps.js';
import { retry } from '../../retry.js';
import { defaultRetryPolicy } from '../retry.js';

export interface WriterTarget {
  file: File;
  /** The key as the caller named it (for ObjectInfo and messages). */
  key: string;
  chunkSize: number;
  context: GcsErrorContext;
  agents: GcsAgents;
  /** Turns stored object metadata into ObjectInfo. */
  infoOf(metadata: { size?: unknown; generation?: unknown }): ObjectInfo;
  /** Maps an error of this upload; 404 means the bucket is missing. */
  mapError(err: unknown): KafkaBackupError;
}

export const contentType = 'application/octet-stream';

export class GcsWriter implements ObjectWriter {
  #state: 'open' | 'finishing' | 'done' = 'open';
  #size = 0;
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  #stream: Writable | undefined;
  #sessionUri: string | undefined;
  /** Bytes handed to the stream, and bytes the SDK has put into upload requests. */
  #queued = 0;
  #sent = 0;
  readonly #steps = new SerialSteps();

  constructor(private readonly target: WriterTarget) {}

  /** Resolves once the chunk is copied into a bounded buffer (backpressure point). */
  write(chunk: Buffer): Promise<void> {
    if (this.#state !== 'open') return Promise.reject(this.#misuse('write'));
    // A copy: the SDK keeps references to what it was given until the chunk is acknowledged.
    const copy = Buffer.from(chunk);
    this.#size += copy.length;
    return this.#enqueue(async () => {
      if (this.#stream !== undefined) return this.#push(this.#stream, copy);
      this.#pending.push(copy);
      this.#pendingBytes += copy.length;
      if (this.#pendingBytes < this.target.chunkSize) return;
      const stream = this.#open();
      const pending = this.#pending;
      this.#pending = [];
      this.#pendingBytes = 0;
      for (const buffer of pending) await this.#push(stream, buffer);
    });
  }

  async finish(): Promise<ObjectInfo> {
    if (this.#state !== 'open') throw this.#misuse('finish');
    this.#state = 'finishing';
    try {
      await this.#steps.settled();
      if (this.#steps.failure !== undefined) throw this.#steps.failure;
      const stream = this.#stream;
      let metadata: { size?: unknown; generation?: unknown };
      if (stream === undefined) {
        const data = Buffer.concat(this.#pending);
        this.#pending = [];
        // The data is in memory: a dropped connection is retried like any other storage call.
        await retry(
          () =>
            this.target.file.save(data, { resumable: false, metadata: { contentType } }).catch((err: unknown) => {
              throw this.#mapped(err);
            }),
          { policy: defaultRetryPolicy },
        );
        metadata = this.target.file.metadata;
      } else {
        await endStream(stream);
        metadata = this.target.file.metadata;
      }
      const info = this.target.infoOf(metadata);
      if (info.size !== this.#size) await this.#discardShort(info);
      return info;
    } catch (err) {
      await this.#cancel();
      throw this.#mapped(err);
    } finally {
      this.#state = 'done';
    }
  }

  /** Discards what was written; nothing becomes visible. Does nothing after finish() was called. */
  async abort(): Promise<void> {
    if (this.#state !== 'open') return;
    this.#state = 'done';
    this.#steps.fail(new KafkaBackupError('INTERNAL', `writer for "${this.target.key}" aborted`));
    // Destroy first: a write waiting for the stream to drain then fails instead of waiting.
    await this.#cancel();
    await this.#steps.settled();
    this.#pending = [];
  }

  #open(): Writable {
    const stream = this.target.file.createWriteStream({
      resumable: true,
      chunkSize: this.target.chunkSize,
      metadata: { contentType },
    });
    stream.on('uri', (uri: string) => (this.#sessionUri = uri));
    stream.on('progress', (progress: { bytesWritten?: unknown }) => {
      if (typeof progress.bytesWritten === 'number') this.#sent = progress.bytesWritten;
    });
    // Failures surface through #push and endStream; this keeps an idle stream's error from being unhandled.
    stream.on('error', (err) => this.#steps.fail(err));
    this.#stream = stream;
    return stream;
  }

  async #push(stream: Writable, buffer: Buffer): Promise<void> {
    // The SDK starts sending a chunk once it holds more than one chunk, so this cannot stall.
    while (this.#queued - this.#sent > this.target.chunkSize) await this.#next(stream, 'progress');
    this.#checkUsable(stream);
    if (stream.write(buffer)) {
      this.#queued += buffer.length;
      return;
    }
    this.#queued += buffer.length;
    await this.#next(stream, 'drain');
  }

  /** The stream's next `event`; rejects once the upload failed or the stream closed. */
  async #next(stream: Writable, event: 'drain' | 'progress'): Promise<void> {
    this.#checkUsable(stream);
    await waitFor(stream, event);
  }

  #checkUsable(stream: Writable): void {
    if (this.#steps.failure !== undefined) throw this.#steps.failure;
    if (stream.destroyed) throw stream.errored ?? new Error('upload stream closed');
  }

  #enqueue(step: () => Promise<void>): Promise<void> {
    return this.#steps.run(step).catch((err: unknown) => {
      throw this.#mapped(err);
    });
  }

  /** The stored object is shorter or longer than what was written: remove exactly that version. */
  async #discardShort(info: ObjectInfo): Promise<never> {
    await this.target.file.delete({ ifGenerationMatch: info.etag }).catch(() => undefined);
    throw new KafkaBackupError(
      'STORAGE_IO',
      `upload of ${this.#subject()} stored ${info.size} bytes instead of ${this.#size}; the object was deleted`,
      { key: this.target.key, location: this.target.context.location, retryable: true },
    );
  }

  /** Stops the resumable upload, if one was started, and cancels its session. */
  async #cancel(): Promise<void> {
    const stream = this.#stream;
    if (stream === undefined) return;
    if (!stream.destroyed) {
      const closed = new Promise<void>((resolve) => stream.once('close', () => resolve()));
      // With an error: the SDK aborts an in-flight chunk request only when its upload errors.
      stream.destroy(new Error('upload aborted'));
      await closed;
    }
    if (this.#sessionUri !== undefined) await cancelSession(this.#sessionUri, this.target.agents);
  }

  #subject(): string {
    return `"${this.target.key}" in ${this.target.context.location}`;
  }

  #misuse(operation: string): KafkaBackupError {
    return new KafkaBackupError('INTERNAL', `${operation}() on a finished or aborted writer for "${this.target.key}"`);
  }

  #mapped(err: unknown): KafkaBackupError {
    return this.target.mapError(err);
  }
}

function waitFor(stream: Writable, event: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const cleanup = (): void => {
      stream.off(event, onEvent);
      stream.off('error', onError);
      stream.off('close', onClose);
    };
    const onEvent = (): void => {
      cleanup();
      resolve();
    };
    const onError = (err: unknown): void => {
      cleanup();
      reject(err);
    };
    const onClose = (): void => onError(stream.errored ?? new Error('upload stream closed'));
    stream.on(event, onEvent);
    stream.on('error', onError);
    stream.on('close', onClose);
  });
}

/** Ends the stream; resolves once the SDK has the final object metadata and checked its CRC32C. */
function endStream(stream: Writable): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.once('finish', () => resolve());
    stream.once('error', reject);
    stream.once('close', () => reject(stream.errored ?? new Error('upload stream closed before finishing')));
    stream.end();
  });
}

/** Best effort: GCS answers 499 and forgets the session; a session not cancelled expires in a week. */
function cancelSession(uri: string, agents: GcsAgents): Promise<void> {
  return new Promise((resolve) => {
    const url = new URL(uri);
    const client = url.protocol === 'http:' ? http : https;
    const agent = url.protocol === 'http:' ? agents.http : agents.https;
    const request = client.request(url, { method: 'DELETE', agent, timeout: 10_000 }, (response) => {
      response.resume();
      response.on('end', () => resolve());
      response.on('error', () => resolve());
    });
    request.on('error', () => resolve());
    request.on('timeout', () => request.destroy());
    request.end();
  });
}
