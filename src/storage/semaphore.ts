// A counting semaphore, and the one per process that bounds concurrent storage operations.
//
// Why one per process: every partition pipeline talks to the same storage, so a per-pipeline or
// per-backend limit multiplies with the partition count and gives no backpressure at all (KafScale
// PR #111: "each partition issues S3 calls independently with no shared limit"). One shared limit,
// set from storage.max_concurrency, caps the total; read-ahead uses tryAcquire() so it never queues
// in front of work the pipeline is blocked on.

import { KafkaBackupError } from '../errors.js';

/** Gives the slot back. Calling it more than once is harmless (later calls do nothing). */
export type Release = () => void;

export class Semaphore {
  /** Maximum concurrent holders; 0 means unlimited (holders are still counted). */
  readonly limit: number;
  #inUse = 0;
  #maxObserved = 0;
  readonly #queue: Array<(release: Release) => void> = [];

  constructor(limit: number) {
    if (!Number.isSafeInteger(limit) || limit < 0) {
      throw new KafkaBackupError('INTERNAL', `semaphore limit must be a non-negative integer, got ${limit}`);
    }
    this.limit = limit;
  }

  /** Holders right now. */
  get inUse(): number {
    return this.#inUse;
  }

  /** Callers queued in acquire(). */
  get waiting(): number {
    return this.#queue.length;
  }

  /** The highest number of concurrent holders seen since construction. */
  get maxObserved(): number {
    return this.#maxObserved;
  }

  /** Resolves with a release function once a slot is free. Waiters are served first come, first served. */
  acquire(): Promise<Release> {
    const release = this.tryAcquire();
    if (release !== undefined) return Promise.resolve(release);
    return new Promise((resolve) => this.#queue.push(resolve));
  }

  /** A slot now, or undefined when none is free or others are already waiting (no queue jumping). */
  tryAcquire(): Release | undefined {
    if (this.#queue.length > 0 || (this.limit !== 0 && this.#inUse >= this.limit)) return undefined;
    this.#inUse++;
    if (this.#inUse > this.#maxObserved) this.#maxObserved = this.#inUse;
    return this.#releaser();
  }

  #releaser(): Release {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#queue.shift();
      // Hand the slot straight to the oldest waiter: inUse stays the same, and no tryAcquire()
      // can take the slot between this release and the waiter resuming.
      if (next !== undefined) next(this.#releaser());
      else this.#inUse--;
    };
  }
}

let shared: Semaphore | undefined;

/**
 * Creates the process-wide storage semaphore (0 = unlimited). Calling it again with the same limit
 * returns the same semaphore; a different limit is a bug (two parts of the program disagree about
 * the one limit) and throws INTERNAL.
 */
export function configureStorageConcurrency(limit: number): Semaphore {
  if (shared === undefined) {
    shared = new Semaphore(limit);
  } else if (shared.limit !== limit) {
    throw new KafkaBackupError(
      'INTERNAL',
      `storage concurrency already configured as ${shared.limit}, cannot change it to ${limit}`,
    );
  }
  return shared;
}

/** The process-wide storage semaphore; INTERNAL when configureStorageConcurrency() was not called. */
export function storageSemaphore(): Semaphore {
  if (shared === undefined) {
    throw new KafkaBackupError('INTERNAL', 'storage concurrency is not configured yet');
  }
  return shared;
}
