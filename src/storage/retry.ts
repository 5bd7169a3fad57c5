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

export interface RetryingOptions {
  policy?: RetryPolicy;
  /** Default: a KafkaBackupError marked retryable. */
  isRetryable?: (err: unknown) => boolean;
  /** Ends the waiting at once; the last failure stands. */
  signal?: AbortSignal;
  /** Told of each retry before its wait. */
  onRetry?: (err: unknown, attempt: number, delayMs: number) => void;
  /** The first attempt when it is already under way (a read-ahead); later attempts call operation. */
  first?: Promise<unknown>;
}

/**
 * Runs operation until it succeeds, retrying retryable failures with exponential backoff and
 * jitter (half the capped delay plus a random half). The one retry loop of the storage layer:
 * the decorator below and the backends' streamed writers both use it.
 */
export async function retrying<T>(operation: () => Promise<T>, options: RetryingOptions = {}): Promise<T> {
  const policy = options.policy ?? defaultRetryPolicy;
  const retryable = options.isRetryable ?? ((err: unknown) => isKafkaBackupError(err) && err.retryable);
  for (let attempt = 0; ; attempt++) {
    try {
      return await (attempt === 0 && options.first !== undefined ? (options.first as Promise<T>) : operation());
    } catch (err) {
      if (!retryable(err) || attempt >= policy.retries || options.signal?.aborted === true) throw err;
      const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
      const delay = Math.round(cap / 2 + Math.random() * (cap / 2));
      options.onRetry?.(err, attempt + 1, delay);
      await Promise.race([sleep.ms(delay), aborted(options.signal)]);
      if (isAborted(options.signal)) throw err;
    }
  }
}

// A function, not an inline check: TypeScript narrows `signal.aborted` to false across the await.
function isAborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}

function aborted(signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return new Promise(() => undefined);
  return new Promise((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));
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
    return retrying(operation, {
      policy: this.policy,
      ...(first === undefined ? {} : { first }),
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
