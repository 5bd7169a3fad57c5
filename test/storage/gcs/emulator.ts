// Test helpers for the GCS backend against fake-gcs-server (test/infra/stores.sh service `gcs`).
// The variables come from stores.env; a missing one fails the test instead of skipping it.

import { randomBytes } from 'node:crypto';
import { Storage } from '@google-cloud/storage';
import type { GcsStorageConfig } from '../../../src/config/schema-storage.js';

export function requireEnv(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') {
    throw new Error(`${name} is not set: start the emulators with test/infra/stores.sh and source stores.env`);
  }
  return value;
}

export function emulatorEndpoint(): string {
  return requireEnv('KB_TEST_GCS_ENDPOINT');
}

/** A client for setting up and inspecting buckets directly, outside the backend under test. */
export function adminClient(endpoint = emulatorEndpoint()): Storage {
  return new Storage({ apiEndpoint: endpoint, projectId: 'test', retryOptions: { autoRetry: false } });
}

export function uniqueBucketName(): string {
  return `kb-test-${randomBytes(6).toString('hex')}`;
}

export async function createBucket(name = uniqueBucketName()): Promise<string> {
  await adminClient().createBucket(name);
  return name;
}

/** Deletes every object in the bucket, then the bucket. */
export async function removeBucket(name: string): Promise<void> {
  const bucket = adminClient().bucket(name);
  const [files] = await bucket.getFiles();
  await Promise.all(files.map((f) => f.delete({ ignoreNotFound: true })));
  await bucket.delete({ ignoreNotFound: true });
}

/** Every object name in the bucket, sorted, as the store holds them (with the config prefix). */
export async function objectNames(name: string): Promise<string[]> {
  const [files] = await adminClient().bucket(name).getFiles();
  return files.map((f) => f.name).sort();
}

export function gcsConfig(bucket: string, overrides: Partial<GcsStorageConfig> = {}): GcsStorageConfig {
  return {
    backend: 'gcs',
    bucket,
    prefix: '',
    endpoint: emulatorEndpoint(),
    chunk_size: 256 * 1024,
    max_concurrency: 16,
    ...overrides,
  };
}
