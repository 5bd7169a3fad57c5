// Streamed uploads hold bounded memory: 40 MiB written in 64 KiB chunks with 5 MiB parts, 2 in
// flight, must not grow the process RSS by more than 64 MiB over a warmed-up baseline (expected:
// about threshold + (parts in flight + 1) × part size ≈ 20 MiB). Also reports upload and download
// throughput of a 64 MiB object with the default upload settings (t.diagnostic).

import assert from 'node:assert/strict';
import { createHash, randomFillSync } from 'node:crypto';
import { test } from 'node:test';
import v8 from 'node:v8';
import vm from 'node:vm';
import type { ObjectWriter } from '../../../src/storage/backend.js';
import { S3Backend } from '../../../src/storage/s3/backend.js';
import { createBucket, s3Config } from './helpers.js';

const MiB = 1024 * 1024;

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

/** Writes total bytes in chunkSize pieces from one reused buffer; resolves to the sha256 and the peak RSS seen. */
async function stream(writer: ObjectWriter, total: number, chunkSize: number): Promise<{ sha256: string; peakRss: number }> {
  const hash = createHash('sha256');
  const chunk = Buffer.alloc(chunkSize);
  let peakRss = 0;
  for (let written = 0; written < total; written += chunkSize) {
    randomFillSync(chunk);
    hash.update(chunk);
    await writer.write(chunk);
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }
  return { sha256: hash.digest('hex'), peakRss };
}

test('a 40 MiB streamed upload grows RSS by less than 64 MiB', async (t) => {
  const bucket = await createBucket();
  const backend = new S3Backend(s3Config(bucket.bucket, { multipart_threshold: 5 * MiB, multipart_part_size: 5 * MiB, max_concurrent_uploads: 2 }));
  try {
    const warmUp = backend.createWriter('warm-up');
    await stream(warmUp, 12 * MiB, 64 * 1024);
    await warmUp.finish();
    await backend.delete('warm-up');
    gc();
    const baseline = process.memoryUsage().rss;

    const writer = backend.createWriter('big');
    const { sha256, peakRss } = await stream(writer, 40 * MiB, 64 * 1024);
    const info = await writer.finish();
    const growth = (peakRss - baseline) / MiB;
    t.diagnostic(`RSS baseline ${(baseline / MiB).toFixed(1)} MiB, peak growth ${growth.toFixed(1)} MiB`);
    assert.ok(growth < 64, `RSS grew by ${growth.toFixed(1)} MiB`);

    assert.equal(info.size, 40 * MiB);
    const stored = await backend.get('big');
    assert.equal(createHash('sha256').update(stored).digest('hex'), sha256);
  } finally {
    await backend.close();
    await bucket.remove();
  }
});

test('throughput of a 64 MiB object (default upload settings)', async (t) => {
  const bucket = await createBucket();
  try {
    for (const request_checksum of ['when_supported', 'when_required']) {
      const backend = new S3Backend(s3Config(bucket.bucket, { request_checksum }));
      try {
        const started = performance.now();
        const writer = backend.createWriter('t/64mib');
        const { sha256 } = await stream(writer, 64 * MiB, MiB);
        await writer.finish();
        const uploaded = performance.now();
        const data = await backend.get('t/64mib');
        const downloaded = performance.now();
        assert.equal(createHash('sha256').update(data).digest('hex'), sha256);
        const rate = (ms: number) => (64 / (ms / 1000)).toFixed(0);
        // The upload time includes generating and hashing the data (about 0.2 s on this machine).
        t.diagnostic(`${request_checksum}: upload ${rate(uploaded - started)} MiB/s, download ${rate(downloaded - uploaded)} MiB/s`);
        await backend.delete('t/64mib');
      } finally {
        await backend.close();
      }
    }
  } finally {
    await bucket.remove();
  }
});
