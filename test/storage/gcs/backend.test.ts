import { createGcsBackend } from '../../../src/storage/gcs/backend.js';
import { defineStorageBackendSuite } from '../../conformance/storage-backend.suite.js';
import { adminClient, createBucket, gcsConfig, removeBucket } from './emulator.js';

// Every test gets its own bucket, so tests never see each other's objects.
defineStorageBackendSuite('gcs (fake-gcs-server)', async () => {
  const bucket = await createBucket();
  return { backend: createGcsBackend(gcsConfig(bucket)), cleanup: () => removeBucket(bucket), at: (endpoint) => createGcsBackend(gcsConfig(bucket, { endpoint })) };
}, { network: true });

// The same suite under a config prefix. Neighbours outside the prefix, one of them sharing its
// leading characters ("kafka/prod-x/"), must never show: the suite asserts exact listings.
defineStorageBackendSuite('gcs (fake-gcs-server) with prefix "kafka/prod/"', async () => {
  const bucket = await createBucket();
  for (const name of ['kafka/other', 'kafka/prod-x/y', 'kafka/prodz', 'top']) {
    await adminClient().bucket(bucket).file(name).save(Buffer.from(name), { resumable: false });
  }
  return {
    backend: createGcsBackend(gcsConfig(bucket, { prefix: 'kafka/prod/' })),
    cleanup: () => removeBucket(bucket),
    at: (endpoint) => createGcsBackend(gcsConfig(bucket, { prefix: 'kafka/prod/', endpoint })),
  };
}, { network: true });
