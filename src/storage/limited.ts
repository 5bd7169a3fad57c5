// Decorator: every storage operation holds one slot of a Semaphore (normally the process-wide one,
// see semaphore.ts) while it is actually talking to storage, and only then:
//   put, get, head, delete       one slot for the whole call
//   list                         one slot per page read (a directory, a ListObjects response),
//                                released before the page's items are handed to the consumer
//   createWriter                 one slot during each write() and during finish()/abort(); none
//                                while the caller is between writes (a streamed segment upload
//                                must not pin a slot while the pipeline waits on Kafka)
//   tryGet (capability)          a slot only if one is free now, for read-ahead

import type { ByteRange, ObjectInfo, ObjectWriter, PutOptions, StorageBackend } from './backend.js';
import {
  hasListPages,
  hasSweeper,
  type PagedLister,
  type PrefetchGetter,
  type TemporarySweeper,
} from './capabilities.js';
import type { Semaphore } from './semaphore.js';

export { prefetchGet } from './capabilities.js';

export function limitConcurrency(backend: StorageBackend, semaphore: Semaphore): StorageBackend {
  return new ConcurrencyLimitedBackend(backend, semaphore);
}

class ConcurrencyLimitedBackend implements StorageBackend, PagedLister, TemporarySweeper, PrefetchGetter {
  readonly kind: string;
  readonly location: string;

  constructor(
    private readonly inner: StorageBackend,
    private readonly semaphore: Semaphore,
  ) {
    this.kind = inner.kind;
    this.location = inner.location;
  }

  async #withSlot<T>(operation: () => Promise<T>): Promise<T> {
    const release = await this.semaphore.acquire();
    try {
      return await operation();
    } finally {
      release();
    }
  }

  put(key: string, data: Buffer, options?: PutOptions): Promise<ObjectInfo> {
    return this.#withSlot(() => this.inner.put(key, data, options));
  }

  get(key: string, range?: ByteRange): Promise<Buffer> {
    return this.#withSlot(() => this.inner.get(key, range));
  }

  tryGet(key: string, range?: ByteRange): Promise<Buffer> | undefined {
    const release = this.semaphore.tryAcquire();
    if (release === undefined) return undefined;
    return (async () => {
      try {
        return await this.inner.get(key, range);
      } finally {
        release();
      }
    })();
  }

  head(key: string): Promise<ObjectInfo | undefined> {
    return this.#withSlot(() => this.inner.head(key));
  }

  delete(key: string): Promise<void> {
    return this.#withSlot(() => this.inner.delete(key));
  }

  sweepTemporaryFiles(olderThanMs: number, prefix = ''): Promise<number> {
    const inner = this.inner;
    return hasSweeper(inner) ? this.#withSlot(() => inner.sweepTemporaryFiles(olderThanMs, prefix)) : Promise.resolve(0);
  }

  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    for await (const page of this.listPages(prefix)) yield* page;
  }

  /** Pages of the inner backend when it has them; otherwise every item is its own page. */
  async *listPages(prefix: string): AsyncIterable<ObjectInfo[]> {
    const source: AsyncIterable<ObjectInfo[]> = hasListPages(this.inner)
      ? this.inner.listPages(prefix)
      : singletonPages(this.inner.list(prefix));
    const iterator = source[Symbol.asyncIterator]();
    try {
      for (;;) {
        const step = await this.#withSlot(() => iterator.next());
        if (step.done === true) return;
        yield step.value;
      }
    } finally {
      await iterator.return?.();
    }
  }

  createWriter(key: string): ObjectWriter {
    const inner = this.inner.createWriter(key);
    return {
      write: (chunk) => this.#withSlot(() => inner.write(chunk)),
      finish: () => this.#withSlot(() => inner.finish()),
      abort: () => this.#withSlot(() => inner.abort()),
    };
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

async function* singletonPages(items: AsyncIterable<ObjectInfo>): AsyncIterable<ObjectInfo[]> {
  for await (const item of items) yield [item];
}
