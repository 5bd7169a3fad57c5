// Entry point of the storage layer: openStorage() builds the configured backend and stacks the
// decorators around it. This is the one place the stack is assembled (restic's wrapBackend), so
// its order is decided here and nowhere else. From the inside out:
//
//   1. the backend (FilesystemBackend; later S3, Azure, GCS) classifies its own errors
//   2. limitConcurrency: the process-wide storage semaphore, one slot per call actually talking
//      to storage. It sits directly on the backend so that it counts real storage calls only.
//   (future) retry goes OUTSIDE the limiter: a backoff sleep must not hold a slot, and each attempt
//      queues for a slot again; logging and metrics wrap outermost, to see calls as callers do.

import { KafkaBackupError } from '../errors.js';
import type { StorageBackend } from './backend.js';
import { FilesystemBackend } from './filesystem/backend.js';
import { limitConcurrency } from './limited.js';
import { configureStorageConcurrency } from './semaphore.js';

export type { ByteRange, ObjectInfo, ObjectWriter, PutOptions, StorageBackend } from './backend.js';
export { prefetchGet, sweepTemporaryFiles } from './capabilities.js';
export { compareKeys, validateKey } from './keys.js';
export { configureStorageConcurrency, Semaphore, storageSemaphore } from './semaphore.js';

/**
 * The storage part of the resolved config. A local structural type until src/config exports its
 * own; anything with these fields is accepted.
 */
export interface StorageConfig {
  backend: 'filesystem';
  /** Directory holding the backups; created by the first write. */
  path: string;
  /** Most concurrent storage operations in this process; 0 = unlimited. */
  max_concurrency: number;
}

/**
 * Opens the configured storage. Configures the process-wide storage semaphore from
 * max_concurrency; opening storage twice with different limits in one process throws INTERNAL.
 */
export function openStorage(config: StorageConfig): StorageBackend {
  return limitConcurrency(createBackend(config), configureStorageConcurrency(config.max_concurrency));
}

function createBackend(config: StorageConfig): StorageBackend {
  switch (config.backend) {
    case 'filesystem':
      return new FilesystemBackend(config.path);
    default:
      // Unreachable after config validation; kept for configs built in code.
      throw new KafkaBackupError('CONFIG_INVALID', `unknown storage backend ${JSON.stringify(config.backend)}`);
  }
}
