// Optional methods a backend or decorator may offer beyond the StorageBackend seam. Code above the
// seam reaches them only through the helpers below, which fall back to plain StorageBackend
// behaviour, so a backend without a capability still works. Decorators forward every capability
// they wrap (see src/storage/limited.ts), otherwise stacking them would hide it.

import type { ByteRange, ObjectInfo, StorageBackend } from './backend.js';

/** list() in the pages the backend reads them in (a directory read, a ListObjects response). */
export interface PagedLister {
  listPages(prefix: string): AsyncIterable<ObjectInfo[]>;
}

/** Removes leftovers of uploads that never finished (temp files, incomplete multipart uploads). */
export interface TemporarySweeper {
  /** Deletes leftovers under `prefix` (a key prefix, '' for all) older than olderThanMs; resolves to how many were removed. */
  sweepTemporaryFiles(olderThanMs: number, prefix?: string): Promise<number>;
}

/** A get that is only started when it does not have to wait for storage capacity. */
export interface PrefetchGetter {
  /** undefined when no concurrency slot is free right now; the read was not started. */
  tryGet(key: string, range?: ByteRange): Promise<Buffer> | undefined;
}

export function hasListPages(backend: StorageBackend): backend is StorageBackend & PagedLister {
  return typeof (backend as Partial<PagedLister>).listPages === 'function';
}

export function hasSweeper(backend: StorageBackend): backend is StorageBackend & TemporarySweeper {
  return typeof (backend as Partial<TemporarySweeper>).sweepTemporaryFiles === 'function';
}

export function hasPrefetchGet(backend: StorageBackend): backend is StorageBackend & PrefetchGetter {
  return typeof (backend as Partial<PrefetchGetter>).tryGet === 'function';
}

/**
 * Removes unfinished-upload leftovers older than olderThanMs (call at backup start, with a
 * threshold well above the longest upload, so a concurrent live writer is not disturbed).
 * Resolves to the number removed; 0 for backends that leave nothing behind.
 */
export async function sweepTemporaryFiles(backend: StorageBackend, olderThanMs: number, prefix = ''): Promise<number> {
  return hasSweeper(backend) ? backend.sweepTemporaryFiles(olderThanMs, prefix) : 0;
}

/**
 * Restore's read-ahead: starts a get only when a storage slot is free now, so prefetching never
 * queues in front of reads the pipeline is blocked on. undefined means "skipped, read it later".
 * A backend without a concurrency limit always has room, so the get starts.
 */
export function prefetchGet(backend: StorageBackend, key: string, range?: ByteRange): Promise<Buffer> | undefined {
  return hasPrefetchGet(backend) ? backend.tryGet(key, range) : backend.get(key, range);
}
