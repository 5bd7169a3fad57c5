// The streamed writer beyond the conformance suite: resumable uploads over many chunks, abort in
// the middle of one, bounded memory, and upload/download throughput to the emulator. The memory
// test runs first, in a file of its own process (node --test runs each file separately).

import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createGcsBackend } from '../../../src/storage/gcs/backend.js';
import { listAll } from '../../conformance/storage-backend.suite.js';
import { createBucket, gcsConfig, objectNames, removeBucket } from './emulator.js';

const KiB = 1024;
const MiB = 1024 * KiB;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Two full GCs: the second waits for the first one's ArrayBuffer sweeping, so counts are exact. */
function settle(): void {
  gc();
  gc();
}

/** Writes `total` bytes in `chunk`-sized writes of one reused buffer; returns the sha256. */
async function streamInto(write: (chunk: Buffer) => Promise<void>, total: number, chunk: number, onChunk?: () => void): Promise<string> {
  const hash = createHash('sha256');
  const buffer = randomBytes(chunk);
  for (let written = 0, n = 0; written < total; written += chunk, n++) {
    buffer.writeUInt32BE(n, 0); // every chunk differs, without allocating a new one
    hash.update(buffer);
    await write(buffer);
    onChunk?.();
  }
  return hash.digest('hex');
}

describe('GCS writer', () => {
  test('40 MiB streamed with 256 KiB chunks: memory stays bounded (RSS, and buffers alive after GC)', async (t) => {
    const chunkSize = 256 * KiB;
    const bucket = await createBucket();
    const backend = createGcsBackend(gcsConfig(bucket, { chunk_size: chunkSize }));
    try {
      // Warm-up: load every code path once, then settle the heap.
      const warm = backend.createWriter('mem/warm');
      await streamInto((c) => warm.write(c), 2 * MiB, 64 * KiB);
      await warm.finish();
      settle();
      const baseline = process.memoryUsage();
      let peakRss = baseline.rss;
      let peakLive = baseline.arrayBuffers;
      let writes = 0;
      const writer = backend.createWriter('mem/big');
      const sha = await streamInto((c) => writer.write(c), 40 * MiB, 64 * KiB, () => {
        peakRss = Math.max(peakRss, process.memoryUsage().rss);
        // Every 2 MiB: what is still referenced (garbage collected first) in Buffers.
        if (++writes % 32 === 0) {
          settle();
          peakLive = Math.max(peakLive, process.memoryUsage().arrayBuffers);
        }
      });
      const info = await writer.finish();
      const rssGrowth = (Math.max(peakRss, process.memoryUsage().rss) - baseline.rss) / MiB;
      const liveGrowth = (peakLive - baseline.arrayBuffers) / MiB;
      t.diagnostic(`RSS baseline ${(baseline.rss / MiB).toFixed(1)} MiB, peak growth ${rssGrowth.toFixed(1)} MiB; live buffers peak growth ${liveGrowth.toFixed(2)} MiB`);
      // Garbage (copied chunks not yet collected) dominates RSS; the live bytes are the real bound:
      // two chunks (one sent, one filling) plus a write, well below 4 chunks.
      assert.ok(liveGrowth < (4 * chunkSize) / MiB, `buffers alive grew by ${liveGrowth.toFixed(2)} MiB while streaming 40 MiB`);
      assert.ok(rssGrowth < 64, `RSS grew by ${rssGrowth.toFixed(1)} MiB while streaming 40 MiB`);
      assert.equal(info.size, 40 * MiB);
      const stored = await backend.get('mem/big');
      assert.equal(createHash('sha256').update(stored).digest('hex'), sha);
    } finally {
      await backend.close();
      await removeBucket(bucket);
    }
  });

  test('many chunks, then abort: nothing visible, the old version intact, no partial object', async () => {
    const bucket = await createBucket();
    const backend = createGcsBackend(gcsConfig(bucket, { chunk_size: 256 * KiB }));
    try {
      const old = await backend.put('ab/seg', Buffer.from('old'));
      for (const key of ['ab/new', 'ab/seg']) {
        const writer = backend.createWriter(key);
        await streamInto((c) => writer.write(c), 3 * MiB + 5, 64 * KiB);
        await writer.abort();
        await writer.abort(); // harmless twice
      }
      assert.deepEqual(await backend.head('ab/seg'), old);
      assert.equal((await backend.get('ab/seg')).toString(), 'old');
      assert.deepEqual(await objectNames(bucket), ['ab/seg']);
      // Writes after abort are refused.
      const writer = backend.createWriter('ab/late');
      await writer.abort();
      await assert.rejects(writer.write(Buffer.from('x')), /aborted writer/);
    } finally {
      await backend.close();
      await removeBucket(bucket);
    }
  });

  test('writes not awaited one by one still arrive in order; a size just past one chunk works', async () => {
    const bucket = await createBucket();
    const backend = createGcsBackend(gcsConfig(bucket, { chunk_size: 256 * KiB }));
    try {
      const parts = Array.from({ length: 9 }, (_, i) => randomBytes(i === 4 ? 256 * KiB : 32 * KiB + i));
      const writer = backend.createWriter('order/x');
      await Promise.all(parts.map((p) => writer.write(p)));
      const info = await writer.finish();
      const expected = Buffer.concat(parts);
      assert.equal(info.size, expected.length);
      assert.ok((await backend.get('order/x')).equals(expected));
      assert.deepEqual((await listAll(backend, 'order/')).map((i) => i.key), ['order/x']);
    } finally {
      await backend.close();
      await removeBucket(bucket);
    }
  });

  test('throughput of a 64 MiB object at the default chunk_size (reported, not asserted)', async (t) => {
    const bucket = await createBucket();
    const backend = createGcsBackend(gcsConfig(bucket, { chunk_size: 8 * MiB }));
    try {
      const size = 64 * MiB;
      let started = process.hrtime.bigint();
      const writer = backend.createWriter('tp/64m');
      const sha = await streamInto((c) => writer.write(c), size, MiB);
      await writer.finish();
      const upSeconds = Number(process.hrtime.bigint() - started) / 1e9;
      started = process.hrtime.bigint();
      const data = await backend.get('tp/64m');
      const downSeconds = Number(process.hrtime.bigint() - started) / 1e9;
      assert.equal(createHash('sha256').update(data).digest('hex'), sha);
      const mbps = (seconds: number): string => (size / 1e6 / seconds).toFixed(1);
      t.diagnostic(`64 MiB to fake-gcs-server: upload ${mbps(upSeconds)} MB/s (${upSeconds.toFixed(2)} s), download ${mbps(downSeconds)} MB/s (${downSeconds.toFixed(2)} s)`);
    } finally {
      await backend.close();
      await removeBucket(bucket);
    }
  });
});
