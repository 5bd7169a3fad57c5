// Entry point of the storage layer: openStorage() builds the configured backend and stacks the
// decorators around it. This is the one place the stack is assembled (restic's wrapBackend), so
// its order is decided here and nowhere else. From the inside out:
//
//   1. the backend (FilesystemBackend; later S3, Azure, GCS) classifies its own errors
//   2. limitConcurrency: the process-wide storage semaphore, one slot per call actually talking
//      to storage. It sits directly on the backend so that it counts real storage calls only.
//   3. withRetries goes OUTSIDE the limiter: a backoff sleep must not hold a slot, and each attempt
//      queues for a slot again.

import { KafkaBackupError } from '../errors.js';
import type { StorageBackend } from './backend.js';
import type { StorageConfig as ConfigStorage } from '../config/types.js';
import { createAzureBackend } from './azure/backend.js';
import { FilesystemBackend } from './filesystem/backend.js';
import { createGcsBackend } from './gcs/backend.js';
import { createS3Backend } from './s3/backend.js';
import { limitConcurrency } from './limited.js';
import { withRetries } from './retry.js';
import type { Logger } from 'pino';
import { configureStorageConcurrency } from './semaphore.js';

export type { ByteRange, ObjectInfo, ObjectWriter, PutOptions, StorageBackend } from './backend.js';
export { prefetchGet, sweepTemporaryFiles } from './capabilities.js';
export { compareKeys, validateKey } from './keys.js';
export { configureStorageConcurrency, Semaphore, storageSemaphore } from './semaphore.js';

/** The storage part of the resolved config (src/config/schema-storage.ts). */
export type StorageConfig = ConfigStorage;

/**
 * Opens the configured storage. Configures the process-wide storage semaphore from
 * max_concurrency; opening storage twice with different limits in one process throws INTERNAL.
 */
export function openStorage(config: StorageConfig, log?: Logger): StorageBackend {
  return withRetries(limitConcurrency(createBackend(config), configureStorageConcurrency(config.max_concurrency)), undefined, log);
}

function createBackend(config: StorageConfig): StorageBackend {
  switch (config.backend) {
    case 'filesystem':
      return new FilesystemBackend(config.path, { permissions: config.permissions });
    case 's3':
      return createS3Backend(config);
    case 'azure':
      return createAzureBackend(config);
    case 'gcs':
      return createGcsBackend(config);
    default:
      // Unreachable after config validation; kept for configs built in code.
      throw new KafkaBackupError('CONFIG_INVALID', `unknown storage backend ${JSON.stringify((config as { backend: unknown }).backend)}`);
  }
}
