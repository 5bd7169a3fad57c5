// Faults between the backend and the emulator, injected with toxiproxy: the server cut off before
// or in the middle of a call. Each call must fail with a retryable STORAGE_IO (so withRetries
// retries it), and withRetries must succeed once the server is back.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { isKafkaBackupError } from '../../../src/errors.js';
import type { StorageBackend } from '../../../src/storage/backend.js';
import { createGcsBackend } from '../../../src/storage/gcs/backend.js';
import type { RetryPolicy } from '../../../src/retry.js';
import { withRetries } from '../../../src/storage/retry.js';
import { listAll } from '../../conformance/storage-backend.suite.js';
import { adminClient, createBucket, gcsConfig, removeBucket } from './emulator.js';
import { Proxy } from './toxiproxy.js';

const KiB = 1024;
const MiB = 1024 * KiB;
/** Retries quickly and often enough to outlast a 2 s outage. */
const policy: RetryPolicy = { retries: 30, baseDelayMs: 100, maxDelayMs: 300 };

async function assertRetryableIo(promise: Promise<unknown>, what: string): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(isKafkaBackupError(err, 'STORAGE_IO'), `${what}: expected STORAGE_IO, got ${String(err)}`);
    assert.equal(err.retryable, true, `${what}: ${err.message}`);
    assert.ok(err.cause !== undefined, `${what}: the cause is attached`);
    return true;
  });
}

async function withProxiedBackend(chunkSize: number, body: (b: StorageBackend, proxy: Proxy, bucket: string) => Promise<void>): Promise<void> {
  const bucket = await createBucket();
  const proxy = await Proxy.create();
  const backend = createGcsBackend(gcsConfig(bucket, { endpoint: proxy.endpoint, chunk_size: chunkSize }));
  try {
    await body(backend, proxy, bucket);
  } finally {
    await backend.close();
    await proxy.remove();
    await removeBucket(bucket);
  }
}

describe('GCS backend through toxiproxy', () => {
  test('server unreachable: every call fails retryable; withRetries succeeds after a 2 s outage', async () => {
    await withProxiedBackend(256 * KiB, async (b, proxy) => {
      const data = randomBytes(100 * KiB);
      await b.put('f/x', data);
      await proxy.setEnabled(false);
      await assertRetryableIo(b.get('f/x'), 'get');
      await assertRetryableIo(b.get('f/x', { start: 1, end: 5 }), 'ranged get');
      await assertRetryableIo(b.head('f/x'), 'head');
      await assertRetryableIo(b.put('f/y', data), 'put');
      await assertRetryableIo(b.put('f/y', data, { ifNoneMatch: true }), 'conditional put');
      await assertRetryableIo(b.delete('f/x'), 'delete');
      await assertRetryableIo(listAll(b, 'f/'), 'list');

      const retrying = withRetries(b, policy);
      const started = Date.now();
      const calls = Promise.all([retrying.get('f/x'), retrying.put('f/y', data), listAll(retrying, 'f/'), retrying.head('f/x')]);
      await sleep(2000);
      await proxy.setEnabled(true);
      const [got, put, listed, head] = await calls;
      assert.ok(Date.now() - started >= 1900, 'the calls waited for the outage to end');
      assert.ok(got.equals(data));
      assert.equal(put.size, data.length);
      assert.ok(listed.some((i) => i.key === 'f/x'));
      assert.equal(head?.size, data.length);
      assert.deepEqual((await listAll(b, 'f/')).map((i) => i.key), ['f/x', 'f/y']);
    });
  });

  test('server cut off in the middle of a download and of an upload: retryable, and retried to success', async () => {
    await withProxiedBackend(256 * KiB, async (b, proxy, bucket) => {
      const data = randomBytes(3 * MiB);
      await b.put('mid/obj', data);
      await proxy.limitDownstream(1024);
      await proxy.limitUpstream(1024);
      const cut = async (): Promise<void> => {
        await sleep(700);
        await proxy.setEnabled(false);
      };
      await Promise.all([assertRetryableIo(b.get('mid/obj'), 'get cut mid-body'), cut()]);
      await proxy.setEnabled(true);
      await Promise.all([assertRetryableIo(b.put('mid/new', data), 'put cut mid-body'), cut()]);
      await proxy.setEnabled(true);
      const [files] = await adminClient().bucket(bucket).getFiles({ prefix: 'mid/' });
      assert.deepEqual(files.map((f) => f.name), ['mid/obj'], 'the broken put left nothing');

      const retrying = withRetries(b, policy);
      const download = retrying.get('mid/obj');
      await cut();
      await sleep(2000);
      await proxy.removeToxics();
      await proxy.setEnabled(true);
      assert.ok((await download).equals(data));
    });
  });

  test('server cut off during a streamed upload: the writer fails retryable, leaves no object, and a new writer succeeds', async () => {
    await withProxiedBackend(256 * KiB, async (b, proxy, bucket) => {
      await proxy.limitUpstream(1024);
      const writer = b.createWriter('seg/one');
      const data = randomBytes(3 * MiB);
      const upload = (async () => {
        for (let at = 0; at < data.length; at += 64 * KiB) await writer.write(data.subarray(at, at + 64 * KiB));
        return writer.finish();
      })();
      const failed = assertRetryableIo(upload, 'streamed upload cut mid-chunk');
      await sleep(1200);
      await proxy.setEnabled(false);
      await failed;
      await writer.abort();
      await proxy.setEnabled(true);
      await proxy.removeToxics();
      const [files] = await adminClient().bucket(bucket).getFiles({ prefix: 'seg/' });
      assert.deepEqual(files.map((f) => `${f.name} ${String(f.metadata.size)}`), [], 'no partial object');
      const again = b.createWriter('seg/one');
      await again.write(data);
      const info = await again.finish();
      assert.equal(info.size, data.length);
      assert.ok((await b.get('seg/one')).equals(data));
    });
  });
});
