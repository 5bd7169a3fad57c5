// Bounded memory of streamed uploads, and the throughput to the emulator (reported as test
// diagnostics: `node --test` prints them as "# ..." lines).

import assert from 'node:assert/strict';
import { createHash, randomBytes, randomFillSync } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { createAzureBackend } from '../../../src/storage/azure/backend.js';
import type { StorageBackend } from '../../../src/storage/backend.js';
import { azureConfig, connectionString, freshContainer, MiB, type FreshContainer } from './helpers.js';

/** Streams `total` bytes in `chunkSize` chunks, refilling one buffer; returns the sha256. */
async function stream(backend: StorageBackend, key: string, total: number, chunkSize: number, onChunk?: () => void): Promise<string> {
  const hash = createHash('sha256');
  const chunk = Buffer.alloc(chunkSize);
  const writer = backend.createWriter(key);
  for (let written = 0; written < total; written += chunkSize) {
    randomFillSync(chunk);
    hash.update(chunk);
    await writer.write(chunk);
    onChunk?.();
  }
  const info = await writer.finish();
  assert.equal(info.size, total);
  return hash.digest('hex');
}

const mbPerSecond = (bytes: number, ms: number): string => ((bytes / 1e6) / (ms / 1000)).toFixed(1);

describe('Azure backend transfers', () => {
  let container: FreshContainer;
  before(async () => {
    container = await freshContainer();
  });
  after(async () => container.remove());

  test('a 40 MiB streamed upload with 1 MiB blocks keeps RSS growth bounded (< 64 MiB)', async (t) => {
    const config = azureConfig({ container: container.name, connection_string: connectionString(), block_size: '1MiB', max_concurrent_uploads: 4 });
    const backend = createAzureBackend(config);
    try {
      await stream(backend, 'warmup', 8 * MiB, 64 * 1024); // JIT, the SDK's lazy modules, connections
      await new Promise((resolve) => setTimeout(resolve, 100));
      const baseline = process.memoryUsage().rss;
      let peak = baseline;
      const sample = (): void => {
        peak = Math.max(peak, process.memoryUsage().rss);
      };
      const timer = setInterval(sample, 5);
      const digest = await stream(backend, 'big/segment', 40 * MiB, 64 * 1024, sample);
      clearInterval(timer);
      sample();
      const growth = peak - baseline;
      t.diagnostic(`RSS baseline ${(baseline / MiB).toFixed(1)} MiB, peak growth during a 40 MiB upload ${(growth / MiB).toFixed(1)} MiB`);
      assert.ok(growth < 64 * MiB, `RSS grew by ${(growth / MiB).toFixed(1)} MiB`);
      const stored = await backend.get('big/segment');
      assert.equal(createHash('sha256').update(stored).digest('hex'), digest);
    } finally {
      await backend.close();
    }
  });

  test('throughput of a 64 MiB object: streamed upload, single put, whole get, ranged gets', async (t) => {
    const backend = createAzureBackend(azureConfig({ container: container.name, connection_string: connectionString() }));
    try {
      const size = 64 * MiB;
      let start = performance.now();
      const digest = await stream(backend, 'tp/streamed', size, MiB);
      const upload = performance.now() - start;

      const data = randomBytes(size);
      start = performance.now();
      await backend.put('tp/put', data);
      const put = performance.now() - start;

      start = performance.now();
      const got = await backend.get('tp/streamed');
      const download = performance.now() - start;
      assert.equal(createHash('sha256').update(got).digest('hex'), digest);

      start = performance.now();
      const parts = await Promise.all(Array.from({ length: 8 }, (_, i) => backend.get('tp/put', { start: i * 8 * MiB, end: (i + 1) * 8 * MiB })));
      const ranged = performance.now() - start;
      assert.ok(Buffer.concat(parts).equals(data));

      t.diagnostic(
        `64 MiB to Azurite: streamed upload (8 MiB blocks x4) ${mbPerSecond(size, upload)} MB/s, single put ${mbPerSecond(size, put)} MB/s, ` +
          `get ${mbPerSecond(size, download)} MB/s, 8 parallel 8 MiB ranged gets ${mbPerSecond(size, ranged)} MB/s`,
      );
    } finally {
      await backend.close();
    }
  });
});
