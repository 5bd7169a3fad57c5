// The shared StorageBackend conformance suite against MinIO: every test in a fresh bucket, once at
// the bucket root and once under a config prefix. Small multipart settings (5 MiB threshold and
// parts, 2 parts in flight) so the suite's 20 MiB streamed upload goes through a multipart upload.

import assert from 'node:assert/strict';
import { createS3Backend } from '../../../src/storage/s3/backend.js';
import { defineStorageBackendSuite } from '../../conformance/storage-backend.suite.js';
import { createBucket, s3Config } from './helpers.js';

const MiB = 1024 * 1024;
const small = { multipart_threshold: 5 * MiB, multipart_part_size: 5 * MiB, max_concurrent_uploads: 2 };

defineStorageBackendSuite('s3 (MinIO)', async () => {
  const bucket = await createBucket();
  const backend = createS3Backend(s3Config(bucket.bucket, small));
  return {
    backend,
    at: (endpoint) => createS3Backend(s3Config(bucket.bucket, { ...small, endpoint })),
    cleanup: async () => {
      assert.deepEqual(await bucket.uploads(), [], 'no multipart upload is left behind');
      await bucket.remove();
    },
  };
}, { network: true });

defineStorageBackendSuite('s3 (MinIO) under prefix "kafka/prod"', async () => {
  const bucket = await createBucket();
  const backend = createS3Backend(s3Config(bucket.bucket, { ...small, prefix: 'kafka/prod' }));
  return {
    backend,
    at: (endpoint) => createS3Backend(s3Config(bucket.bucket, { ...small, prefix: 'kafka/prod', endpoint })),
    cleanup: async () => {
      for (const name of await bucket.names()) assert.ok(name.startsWith('kafka/prod/'), `${name} is under the prefix`);
      assert.deepEqual(await bucket.uploads(), [], 'no multipart upload is left behind');
      await bucket.remove();
    },
  };
}, { network: true });
