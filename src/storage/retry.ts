// Decorator: retries storage calls that failed with a retryable error (throttling, 5xx, a reset
// connection: each backend marks its own errors `retryable`), with the one retry loop (src/retry.ts:
// exponential backoff with jitter). Permanent errors (not found, access denied, a lost conditional write) fail at once.
// Stacked outside the concurrency limit (see index.ts), so a call sleeping between attempts holds
// no storage slot.
//
// What is retried: put, get, head, delete, opening a list page, and a read-ahead (tryGet) once it
// has started. A streamed upload is not replayed here: the backends' writers retry each request
// themselves, and a writer that fails fails its segment, which the pipeline then reports (a backup
// resumes from its last commit on the next run).
import type { Logger } from 'pino';
import { retry, type RetryPolicy } from '../retry.js';
import type { ByteRange, ObjectInfo, ObjectWriter, PutOptions, StorageBackend } from './backend.js';
import { hasListPages, hasSweeper, prefetchGet, type PagedLister, type PrefetchGetter, type TemporarySweeper } from './capabilities.js';

/** The storage layer's policy: the decorator's and every streamed writer's. */
export const defaultRetryPolicy: RetryPolicy = { retries: 6, baseDelayMs: 200, maxDelayMs: 10_000 };

export function withRetries(backend: StorageBackend, policy: RetryPolicy = defaultRetryPolicy, log?: Logger): StorageBackend {
  return new RetryingBackend(backend, policy, log);
}

class RetryingBackend implements StorageBackend, PagedLister, TemporarySweeper, PrefetchGetter {
  readonly kind: string;
  readonly location: string;

  constructor(
    private readonly inner: StorageBackend,
    private readonly policy: RetryPolicy,
    private readonly log: Logger | undefined,
  ) {
    this.kind = inner.kind;
    this.location = inner.location;
  }

  /** `first`, when given, is the first attempt, already under way; later attempts call `operation`. */
  #retry<T>(what: string, operation: () => Promise<T>, first?: Promise<T>): Promise<T> {
    return retry((attempt) => (attempt === 0 && first !== undefined ? first : operation()), {
      policy: this.policy,
      onRetry: (err, attempt, delay) =>
        this.log?.warn(
          { storage: this.location, operation: what, attempt, delay_ms: delay, err: err instanceof Error ? err.message : String(err) },
          'storage call failed; retrying',
        ),
    });
  }

  put(key: string, data: Buffer, options?: PutOptions): Promise<ObjectInfo> {
    return this.#retry(`put ${key}`, () => this.inner.put(key, data, options));
  }

  get(key: string, range?: ByteRange): Promise<Buffer> {
    return this.#retry(`get ${key}`, () => this.inner.get(key, range));
  }

  head(key: string): Promise<ObjectInfo | undefined> {
    return this.#retry(`head ${key}`, () => this.inner.head(key));
  }

  delete(key: string): Promise<void> {
    return this.#retry(`delete ${key}`, () => this.inner.delete(key));
  }

  createWriter(key: string): ObjectWriter {
    return this.inner.createWriter(key);
  }

  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    for await (const page of this.listPages(prefix)) yield* page;
  }

  /**
   * Pages of the listing; a page that fails is asked for again, resuming after the last key seen.
   * The retries are counted over the whole listing, not per page.
   */
  async *listPages(prefix: string): AsyncIterable<ObjectInfo[]> {
    const inner = this.inner;
    let after: string | undefined;
    let pages: AsyncIterator<ObjectInfo[]> | undefined;
    let failures = 0;
    const nextPage = async (): Promise<IteratorResult<ObjectInfo[]>> => {
      pages ??= (hasListPages(inner) ? inner.listPages(prefix) : onePerItem(inner.list(prefix)))[Symbol.asyncIterator]();
      try {
        return await pages.next();
      } catch (err) {
        pages = undefined; // the next attempt lists again from the start, skipping what was delivered
        throw err;
      }
    };
    try {
      for (;;) {
        const page = await retry(nextPage, {
          policy: this.policy,
          failuresSoFar: failures,
          onRetry: (err, attempt) => {
            failures = attempt;
            this.log?.warn(
              { storage: this.location, operation: `list ${prefix}`, attempt, err: err instanceof Error ? err.message : String(err) },
              'storage listing failed; retrying',
            );
          },
        });
        if (page.done === true) return;
        const fresh = after === undefined ? page.value : page.value.filter((o) => o.key > after!);
        if (fresh.length > 0) {
          after = fresh[fresh.length - 1]!.key;
          yield fresh;
        }
      }
    } finally {
      await pages?.return?.();
    }
  }

  sweepTemporaryFiles(olderThanMs: number, prefix = ''): Promise<number> {
    const inner = this.inner;
    return hasSweeper(inner) ? this.#retry(`sweep ${prefix}`, () => inner.sweepTemporaryFiles(olderThanMs, prefix)) : Promise.resolve(0);
  }

  /**
   * Only the first attempt needs a free slot (that is what keeps read-ahead from queuing in front
   * of reads the pipeline waits for). The restore awaits a started read-ahead as the block itself,
   * so a retryable failure is retried like a get (queuing for a slot): not retrying it here failed
   * whole restores on one dropped connection.
   */
  tryGet(key: string, range?: ByteRange): Promise<Buffer> | undefined {
    const first = prefetchGet(this.inner, key, range);
    return first === undefined ? undefined : this.#retry(`get ${key}`, () => this.inner.get(key, range), first);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

async function* onePerItem(items: AsyncIterable<ObjectInfo>): AsyncIterable<ObjectInfo[]> {
  for await (const item of items) yield [item];
}
