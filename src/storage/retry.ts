// Decorator: retries storage calls that failed with a retryable error (throttling, 5xx, a reset
// connection: each backend marks its own errors `retryable`), with exponential backoff and full
// jitter. Permanent errors (not found, access denied, a lost conditional write) fail at once.
// Stacked outside the concurrency limit (see index.ts), so a call sleeping between attempts holds
// no storage slot.
//
// What is retried: put, get, head, delete, opening a list page, and a read-ahead (tryGet) once it
// has started. A streamed upload is not replayed here: the backends' writers retry each request
// themselves, and a writer that fails fails its segment, which the pipeline then reports (a backup
// resumes from its last commit on the next run).
import type { Logger } from 'pino';
import { isKafkaBackupError } from '../errors.js';
import type { ByteRange, ObjectInfo, ObjectWriter, PutOptions, StorageBackend } from './backend.js';
import { hasListPages, hasSweeper, prefetchGet, type PagedLister, type PrefetchGetter, type TemporarySweeper } from './capabilities.js';

export interface RetryPolicy {
  /** Attempts after the first. */
  retries: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const defaultRetryPolicy: RetryPolicy = { retries: 6, baseDelayMs: 200, maxDelayMs: 10_000 };

export function withRetries(backend: StorageBackend, policy: RetryPolicy = defaultRetryPolicy, log?: Logger): StorageBackend {
  return new RetryingBackend(backend, policy, log);
}

/** Test seam: the sleep between attempts. */
export const sleep = { ms: (ms: number) => new Promise<void>((r) => setTimeout(r, ms)) };

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
  async #retry<T>(what: string, operation: () => Promise<T>, first?: Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await (attempt === 0 && first !== undefined ? first : operation());
      } catch (err) {
        if (!isKafkaBackupError(err) || !err.retryable || attempt >= this.policy.retries) throw err;
        const cap = Math.min(this.policy.maxDelayMs, this.policy.baseDelayMs * 2 ** attempt);
        const delay = Math.round(cap / 2 + Math.random() * (cap / 2));
        this.log?.warn({ storage: this.location, operation: what, attempt: attempt + 1, delay_ms: delay, err: err.message }, 'storage call failed; retrying');
        await sleep.ms(delay);
      }
    }
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

  /** Pages of the listing; a page that fails is asked for again, resuming after the last key seen. */
  async *listPages(prefix: string): AsyncIterable<ObjectInfo[]> {
    let after: string | undefined;
    for (let attempt = 0; ; attempt++) {
      try {
        const pages = hasListPages(this.inner) ? this.inner.listPages(prefix) : onePerItem(this.inner.list(prefix));
        for await (const page of pages) {
          const fresh = after === undefined ? page : page.filter((o) => o.key > after!);
          if (fresh.length > 0) {
            after = fresh[fresh.length - 1]!.key;
            yield fresh;
          }
        }
        return;
      } catch (err) {
        if (!isKafkaBackupError(err) || !err.retryable || attempt >= this.policy.retries) throw err;
        const cap = Math.min(this.policy.maxDelayMs, this.policy.baseDelayMs * 2 ** attempt);
        this.log?.warn({ storage: this.location, operation: `list ${prefix}`, attempt: attempt + 1, err: err.message }, 'storage listing failed; retrying');
        await sleep.ms(Math.round(cap / 2 + Math.random() * (cap / 2)));
      }
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
