// Faults through toxiproxy: Azurite cut off for ~2 s in the middle of a transfer. A bare backend
// call fails with retryable STORAGE_IO (so the retry decorator will retry it); wrapped in
// withRetries() the same call succeeds once the server is reachable again. A streamed upload
// retries its own blocks and finishes.

import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { isKafkaBackupError } from '../../../src/errors.js';
import type { StorageBackend } from '../../../src/storage/backend.js';
import { createAzureBackend } from '../../../src/storage/azure/backend.js';
import type { RetryPolicy } from '../../../src/retry.js';
import { withRetries } from '../../../src/storage/retry.js';
import { accountKey, azureConfig, freshContainer, MiB, type FreshContainer } from './helpers.js';
import { AzuriteProxy, sleep } from './toxiproxy.js';

/** Enough attempts to outlast a 2 s outage (at least ~2.8 s of backoff in total), quickly. */
const fastRetries: RetryPolicy = { retries: 12, baseDelayMs: 250, maxDelayMs: 1000 };

async function assertRetryableIo(promise: Promise<unknown>): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(isKafkaBackupError(err), `expected a KafkaBackupError, got ${String(err)}`);
    assert.equal(err.code, 'STORAGE_IO', err.message);
    assert.equal(err.retryable, true, `not retryable: ${err.message}`);
    assert.ok(err.cause !== undefined, 'the SDK error is attached as the cause');
    return true;
  });
}

describe('Azure backend under network faults (toxiproxy)', () => {
  let proxy: AzuriteProxy;
  let container: FreshContainer;
  let backend: StorageBackend;

  before(async () => {
    proxy = await AzuriteProxy.create();
    container = await freshContainer();
    const config = azureConfig({
      container: container.name,
      endpoint: proxy.endpoint,
      account_key: accountKey(),
      block_size: '1MiB',
      max_concurrent_uploads: 2,
    });
    backend = createAzureBackend(config, { writerRetry: fastRetries });
  });

  after(async () => {
    await backend.close();
    await proxy.remove();
    await container.remove();
  });

  test('a get cut off mid-body fails retryable; with withRetries it succeeds after the outage', async () => {
    const data = randomBytes(8 * MiB);
    await container.client.getBlockBlobClient('seg/big').uploadData(data);
    await proxy.slow('downstream', 2048); // ~4 s for the body: the cut lands in the middle
    try {
      const cut = proxy.outage(500, 2000);
      await assertRetryableIo(backend.get('seg/big'));
      await cut;
      const outage = proxy.outage(500, 2000);
      const got = await withRetries(backend, fastRetries).get('seg/big');
      await outage;
      assert.ok(got.equals(data), 'the retried get returns the whole object');
    } finally {
      await proxy.unslow('downstream');
    }
  });

  test('a put cut off mid-body fails retryable; with withRetries it succeeds after the outage', async () => {
    const data = randomBytes(6 * MiB);
    await proxy.slow('upstream', 2048);
    try {
      const cut = proxy.outage(500, 2000);
      await assertRetryableIo(backend.put('seg/put', data));
      await cut;
      const outage = proxy.outage(500, 2000);
      const info = await withRetries(backend, fastRetries).put('seg/put', data);
      await outage;
      assert.equal(info.size, data.length);
    } finally {
      await proxy.unslow('upstream');
    }
    assert.ok((await backend.get('seg/put')).equals(data));
  });

  test('calls while the server is unreachable fail retryable (refused connections, not hangs)', async () => {
    await backend.put('small/x', Buffer.from('x'));
    await proxy.setEnabled(false);
    try {
      await assertRetryableIo(backend.head('small/x'));
      await assertRetryableIo(backend.get('small/x'));
      await assertRetryableIo(backend.delete('small/x'));
      const listing = (async () => {
        for await (const _ of backend.list('')) void _;
      })();
      await assertRetryableIo(listing);
    } finally {
      await proxy.setEnabled(true);
    }
    assert.equal((await backend.get('small/x')).toString(), 'x');
  });

  test('a streamed upload retries its blocks through a 2 s outage and arrives exactly', async () => {
    const writer = backend.createWriter('seg/streamed');
    const hash = createHash('sha256');
    const outage = proxy.outage(300, 2000);
    const deadline = Date.now() + 1500;
    let written = 0;
    // Keep writing 256 KiB chunks until well into the outage, then finish.
    while (Date.now() < deadline || written < 12 * MiB) {
      const chunk = randomBytes(256 * 1024);
      hash.update(chunk);
      await writer.write(chunk);
      written += chunk.length;
      if (written >= 32 * MiB) break;
      await sleep(5);
    }
    const info = await writer.finish();
    await outage;
    assert.equal(info.size, written);
    const stored = await backend.get('seg/streamed');
    assert.equal(createHash('sha256').update(stored).digest('hex'), hash.digest('hex'));
  });
});
