// An in-memory StorageBackend for unit tests of code above the seam. It passes the conformance
// suite (memory-backend.test.ts), so tests using it rely on real backend behaviour. It counts the
// operations running at once (active, maxActive) to let tests check concurrency limits, and can
// hold each operation for delayMs so that overlapping calls actually overlap.

import { setTimeout as sleep } from 'node:timers/promises';
import { KafkaBackupError } from '../../src/errors.js';
import type { ByteRange, ObjectInfo, ObjectWriter, PutOptions, StorageBackend } from '../../src/storage/backend.js';
import { compareKeys, validateKey, validatePrefix } from '../../src/storage/keys.js';

export interface MemoryBackendOptions {
  /** Each operation stays "active" at least this long. */
  delayMs?: number;
}

export class MemoryBackend implements StorageBackend {
  readonly kind = 'memory';
  readonly location = 'memory://test';
  readonly objects = new Map<string, { data: Buffer; etag: string }>();
  /** Operations in progress now, and the most seen at once. */
  active = 0;
  maxActive = 0;
  #version = 0;
  readonly #delayMs: number;

  constructor(options: MemoryBackendOptions = {}) {
    this.#delayMs = options.delayMs ?? 0;
  }

  protected async operation<T>(body: () => T): Promise<T> {
    this.active++;
    this.maxActive = Math.max(this.maxActive, this.active);
    try {
      await sleep(this.#delayMs);
      return body();
    } finally {
      this.active--;
    }
  }

  put(key: string, data: Buffer, options: PutOptions = {}): Promise<ObjectInfo> {
    validateKey(key);
    return this.operation(() => {
      const current = this.objects.get(key);
      if (options.ifNoneMatch === true && current !== undefined) throw precondition(key);
      if (options.ifMatch !== undefined && current?.etag !== options.ifMatch) throw precondition(key);
      return this.store(key, Buffer.from(data));
    });
  }

  protected store(key: string, data: Buffer): ObjectInfo {
    const etag = `v${++this.#version}`;
    this.objects.set(key, { data, etag });
    return { key, size: data.length, etag };
  }

  createWriter(key: string): ObjectWriter {
    validateKey(key);
    const chunks: Buffer[] = [];
    let open = true;
    return {
      write: (chunk) => this.operation(() => void chunks.push(Buffer.from(chunk))),
      finish: () => {
        open = false;
        return this.operation(() => this.store(key, Buffer.concat(chunks)));
      },
      abort: async () => {
        if (open) chunks.length = 0;
        open = false;
      },
    };
  }

  get(key: string, range?: ByteRange): Promise<Buffer> {
    validateKey(key);
    return this.operation(() => {
      const object = this.objects.get(key);
      if (object === undefined) throw new KafkaBackupError('STORAGE_NOT_FOUND', `object "${key}" not found in ${this.location}`);
      if (range === undefined) return Buffer.from(object.data);
      if (range.end > object.data.length) throw new KafkaBackupError('STORAGE_IO', `short read of "${key}"`);
      return Buffer.from(object.data.subarray(range.start, range.end));
    });
  }

  head(key: string): Promise<ObjectInfo | undefined> {
    validateKey(key);
    return this.operation(() => {
      const object = this.objects.get(key);
      return object === undefined ? undefined : { key, size: object.data.length, etag: object.etag };
    });
  }

  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    validatePrefix(prefix);
    const infos = await this.operation(() => this.snapshot(prefix));
    yield* infos;
  }

  protected snapshot(prefix: string): ObjectInfo[] {
    return [...this.objects.entries()]
      .filter(([key]) => key.startsWith(prefix))
      .sort(([a], [b]) => compareKeys(a, b))
      .map(([key, { data, etag }]) => ({ key, size: data.length, etag }));
  }

  delete(key: string): Promise<void> {
    validateKey(key);
    return this.operation(() => void this.objects.delete(key));
  }

  async close(): Promise<void> {}
}

function precondition(key: string): KafkaBackupError {
  return new KafkaBackupError('STORAGE_PRECONDITION', `conditional write of "${key}" lost`);
}
