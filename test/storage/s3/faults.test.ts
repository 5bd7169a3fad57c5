// Network faults through toxiproxy (KB_TEST_TOXIPROXY) in front of MinIO: a store that is cut off,
// before or in the middle of a transfer, fails the call with retryable STORAGE_IO, so the retry
// decorator (withRetries) retries it and succeeds once the store is back. A streamed upload, which
// the decorator does not replay, survives a ~2 s cut by retrying its own parts.

import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, test } from 'node:test';
import { isKafkaBackupError } from '../../../src/errors.js';
import { withRetries } from '../../../src/storage/retry.js';
import { S3Backend } from '../../../src/storage/s3/backend.js';
import { listAll } from '../../conformance/storage-backend.suite.js';
import { createBucket, s3Config, Toxiproxy, type TestBucket } from './helpers.js';

const MiB = 1024 * 1024;
const policy = { retries: 12, baseDelayMs: 100, maxDelayMs: 1000 };

async function assertRetryableIo(promise: Promise<unknown>): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(isKafkaBackupError(err), `expected a KafkaBackupError, got ${String(err)}`);
    assert.equal(err.code, 'STORAGE_IO', err.message);
    assert.equal(err.retryable, true, err.message);
    assert.ok(err.cause !== undefined);
    return true;
  });
}

interface Setup {
  bucket: TestBucket;
  proxy: Toxiproxy;
  /** Talks to MinIO through the proxy. */
  proxied: S3Backend;
  /** Talks to MinIO directly. */
  direct: S3Backend;
}

async function withProxy(body: (setup: Setup) => Promise<void>, overrides: Record<string, unknown> = {}): Promise<void> {
  const bucket = await createBucket();
  const proxy = new Toxiproxy();
  await proxy.create();
  const proxied = new S3Backend(s3Config(bucket.bucket, { endpoint: proxy.endpoint, ...overrides }));
  const direct = new S3Backend(s3Config(bucket.bucket));
  try {
    await body({ bucket, proxy, proxied, direct });
  } finally {
    await proxy.remove();
    await proxied.close();
    await direct.close();
    await bucket.remove();
  }
}

/** Cuts the proxy after cutAfterMs, restores it (and removes the toxic) cutForMs later. */
async function outage(proxy: Toxiproxy, cutAfterMs: number, cutForMs: number, toxic?: string): Promise<void> {
  await sleep(cutAfterMs);
  await proxy.setEnabled(false);
  await sleep(cutForMs);
  if (toxic !== undefined) await proxy.removeToxic(toxic);
  await proxy.setEnabled(true);
}

describe('S3Backend under network faults (toxiproxy)', () => {
  test('a store that is cut off: every call fails with retryable STORAGE_IO; retried, they succeed once it is back', () =>
    withProxy(async ({ proxy, proxied, direct }) => {
      await direct.put('k', Buffer.from('v'));
      await proxy.setEnabled(false);
      await assertRetryableIo(proxied.put('k2', Buffer.from('x')));
      await assertRetryableIo(proxied.get('k'));
      await assertRetryableIo(proxied.head('k'));
      await assertRetryableIo(listAll(proxied, ''));
      await assertRetryableIo(proxied.delete('k'));

      const retrying = withRetries(proxied, policy);
      const back = outage(proxy, 0, 2000);
      const [put, got] = await Promise.all([retrying.put('k2', Buffer.from('x')), retrying.get('k'), back]);
      assert.equal(put.size, 1);
      assert.equal(got.toString(), 'v');
      assert.equal((await direct.get('k2')).toString(), 'x');
    }));

  test('a get cut off mid-transfer fails retryable; retried, it returns the whole object', () =>
    withProxy(async ({ proxy, proxied, direct }) => {
      const data = randomBytes(8 * MiB);
      await direct.put('obj', data);
      const toxic = await proxy.addToxic('bandwidth', 'downstream', { rate: 2048 }); // KB/s: 8 MiB ≈ 4 s; toxics outlive a disable
      await Promise.all([assertRetryableIo(proxied.get('obj')), outage(proxy, 700, 100)]);

      const [got] = await Promise.all([withRetries(proxied, policy).get('obj'), outage(proxy, 700, 2000, toxic)]);
      assert.ok(got.equals(data));
    }));

  test('a put cut off mid-transfer fails retryable; retried, the object is stored whole', () =>
    withProxy(async ({ proxy, proxied, direct }) => {
      const data = randomBytes(8 * MiB);
      const toxic = await proxy.addToxic('bandwidth', 'upstream', { rate: 2048 });
      await Promise.all([assertRetryableIo(proxied.put('obj', data)), outage(proxy, 700, 100)]);
      assert.equal(await direct.head('obj'), undefined, 'a cut put leaves nothing');

      const [info] = await Promise.all([withRetries(proxied, policy).put('obj', data, { ifNoneMatch: true }), outage(proxy, 700, 2000, toxic)]);
      assert.equal(info.size, data.length);
      assert.ok((await direct.get('obj')).equals(data));
    }));

  test('a streamed multipart upload survives a 2 s cut (its parts are retried)', () =>
    withProxy(
      async ({ bucket, proxy, proxied, direct }) => {
        const toxic = await proxy.addToxic('bandwidth', 'upstream', { rate: 8192 }); // 20 MiB ≈ 2.5 s
        const writer = proxied.createWriter('seg');
        const hash = createHash('sha256');
        const writing = (async () => {
          for (let i = 0; i < 20; i++) {
            const chunk = randomBytes(MiB);
            hash.update(chunk);
            await writer.write(chunk);
          }
          return writer.finish();
        })();
        const [info] = await Promise.all([writing, outage(proxy, 800, 2000, toxic)]);
        assert.equal(info.size, 20 * MiB);
        assert.match(info.etag, /-4"$/);
        const stored = await direct.get('seg');
        assert.equal(createHash('sha256').update(stored).digest('hex'), hash.digest('hex'));
        assert.deepEqual(await bucket.uploads(), []);
      },
      { multipart_threshold: 5 * MiB, multipart_part_size: 5 * MiB, max_concurrent_uploads: 2 },
    ));
});
