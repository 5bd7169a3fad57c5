// Throughput of the restore fast paths over ~200 MB of synthetic uncompressed batches of 1 KiB
// records: walkBatches (header-only walk), stampForProduce (copy + patch + CRC-32C) and
// mergeUncompressed (re-encode three varints per record, copy the rest, CRC-32C); rebuildBatch
// (full decode/encode) on a slice for comparison. Not a test: run `node dist/bench/records-merge.js`.

import { randomFillSync } from 'node:crypto';
import { readBatchHeader, walkBatches } from '../../src/records/batch.js';
import { encodeBatch } from '../../src/records/encode-batch.js';
import { type KafkaRecord, encodeRecords } from '../../src/records/record.js';
import { NON_IDEMPOTENT, mergeUncompressed, rebuildBatch, stampForProduce } from '../../src/records/produce.js';

const RECORD_VALUE = 1024;
const RECORDS_PER_BATCH = 16;
const BATCHES_PER_MERGE = 16;
const TARGET_BYTES = 200 * 1024 * 1024;

function buildData(): Buffer {
  const pool = randomFillSync(Buffer.alloc(RECORD_VALUE * 64));
  const batches: Buffer[] = [];
  let size = 0;
  for (let b = 0; size < TARGET_BYTES; b++) {
    const records: KafkaRecord[] = [];
    for (let i = 0; i < RECORDS_PER_BATCH; i++) {
      const at = ((b * RECORDS_PER_BATCH + i) % 63) * RECORD_VALUE;
      records.push({
        attributes: 0,
        timestampDelta: i * 3,
        offsetDelta: i,
        key: Buffer.from(`key-${b}-${i}`),
        value: pool.subarray(at, at + RECORD_VALUE),
        headers: [{ key: Buffer.from('trace'), value: Buffer.from('abcdef0123456789') }],
      });
    }
    const batch = encodeBatch(
      {
        baseOffset: b * RECORDS_PER_BATCH,
        partitionLeaderEpoch: 5,
        attributes: 0,
        lastOffsetDelta: RECORDS_PER_BATCH - 1,
        baseTimestamp: 1_700_000_000_000 + b * 100,
        maxTimestamp: 1_700_000_000_000 + b * 100 + (RECORDS_PER_BATCH - 1) * 3,
        producerId: -1,
        producerEpoch: -1,
        baseSequence: -1,
        recordCount: RECORDS_PER_BATCH,
      },
      encodeRecords(records),
    );
    batches.push(batch);
    size += batch.length;
  }
  return Buffer.concat(batches);
}

async function measure(name: string, bytes: number, run: () => void | Promise<void>): Promise<void> {
  await run(); // warm-up
  let best = Infinity;
  for (let i = 0; i < 3; i++) {
    const start = process.hrtime.bigint();
    await run();
    best = Math.min(best, Number(process.hrtime.bigint() - start) / 1e9);
  }
  const mb = bytes / 1e6;
  console.log(`${name.padEnd(18)} ${(mb / best).toFixed(0).padStart(6)} MB/s  (${(best * 1000).toFixed(1)} ms for ${mb.toFixed(0)} MB)`);
}

const data = buildData();
const { batches } = walkBatches(data);
console.log(`${batches.length} batches of ${RECORDS_PER_BATCH} x ${RECORD_VALUE} B records, ${(data.length / 1e6).toFixed(0)} MB`);

await measure('walkBatches', data.length, () => {
  if (walkBatches(data).consumed !== data.length) throw new Error('walk');
});
await measure('stampForProduce', data.length, () => {
  for (const b of batches) stampForProduce(b.bytes, NON_IDEMPOTENT);
});
await measure('mergeUncompressed', data.length, () => {
  for (let i = 0; i < batches.length; i += BATCHES_PER_MERGE) {
    mergeUncompressed(batches.slice(i, i + BATCHES_PER_MERGE), NON_IDEMPOTENT);
  }
});
const slice = batches.slice(0, Math.ceil(batches.length / 10));
await measure('rebuildBatch', slice.reduce((n, b) => n + b.bytes.length, 0), async () => {
  for (const b of slice) await rebuildBatch(readBatchHeader(b.bytes, 0), b.bytes, { stamp: NON_IDEMPOTENT });
});
