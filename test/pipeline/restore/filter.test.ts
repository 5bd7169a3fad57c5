import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SegmentReader } from '../../../src/format/segment-reader.js';
import { ProduceBatcher, type OutgoingBatch } from '../../../src/pipeline/restore/produce-batcher.js';
import { countRestoredRecords } from '../../../src/pipeline/restore/checks/count.js';
import { blockInWindow, blockMayMatch, recordMatches, restoreFilterFor, type RestoreFilter } from '../../../src/pipeline/restore/filter.js';
import { readBatchHeader, type RawBatch } from '../../../src/records/batch.js';
import { buildBatch, buildCompressedBatch, buildControlBatch, readBack, type SimpleRecord } from '../../records/build.js';
import { CountingBackend, writeSegment } from '../../format/helpers.js';

const T = 1_700_000_000_000;
const IDENTITY = { producerId: 1, producerEpoch: 0 };
const raw = (bytes: Buffer): RawBatch => ({ header: readBatchHeader(bytes, 0), bytes });

interface Rec { offset: number; timestamp: number; key: string }

/** A log with out-of-order timestamps inside batches, a log-append batch, a compressed one and a control batch. */
async function fixture(): Promise<{ batches: Buffer[]; records: Rec[] }> {
  const batches: Buffer[] = [];
  const records: Rec[] = [];
  let offset = 0;
  // Timestamps jump back and forth: t(i) = T + ((i * 37) % 50) * 1000.
  for (let b = 0; b < 12; b++) {
    const recs: SimpleRecord[] = Array.from({ length: 5 }, (_, i) => ({ timestamp: T + (((offset + i) * 37) % 50) * 1000, key: `k${offset + i}` }));
    const spec = { baseOffset: offset, records: recs };
    if (b === 4) {
      const lat = T + 20_000;
      batches.push(buildBatch({ ...spec, logAppendTime: lat }));
      recs.forEach((r, i) => records.push({ offset: offset + i, timestamp: lat, key: r.key as string }));
    } else {
      batches.push(b === 7 ? await buildCompressedBatch({ ...spec, codec: 1 }) : buildBatch(spec));
      recs.forEach((r, i) => records.push({ offset: offset + i, timestamp: r.timestamp, key: r.key as string }));
    }
    offset += 5;
    if (b === 9) {
      batches.push(buildControlBatch({ baseOffset: offset, producerId: 5, type: 'commit', timestamp: T }));
      offset += 1;
    }
  }
  return { batches, records };
}

async function decoded(outs: OutgoingBatch[]): Promise<Rec[]> {
  const got: Rec[] = [];
  for (const o of outs) {
    if (!o.bytes) continue;
    const offsets = o.sourceRanges.flatMap((r) => Array.from({ length: r.last - r.first + 1 }, (_, i) => r.first + i));
    const recs = await readBack(o.bytes);
    assert.equal(recs.length, offsets.length, 'sourceRanges cover the batch');
    recs.forEach((r, i) => got.push({ offset: offsets[i]!, timestamp: r.timestamp, key: r.key!.toString() }));
  }
  return got;
}

/** Restores the segment the way restore.ts does: block predicate, inWindow from the index. */
async function restore(storage: CountingBackend, filter: RestoreFilter, skip: number, batchSize = 4): Promise<{ sent: Rec[]; skipped: number }> {
  const reader = await SegmentReader.open(storage, 'seg');
  const batcher = new ProduceBatcher(IDENTITY, batchSize, skip, filter);
  const outs: OutgoingBatch[] = [];
  let b = 0;
  for await (const batch of reader.batches({ blocks: (e) => blockMayMatch(filter, e) })) {
    while (b < reader.blocks.length - 1 && reader.blocks[b]!.lastOffset < batch.header.baseOffset) b++;
    outs.push(...(await batcher.add(batch, blockInWindow(filter, reader.blocks[b]!))));
  }
  outs.push(...batcher.flush());
  return { sent: await decoded(outs), skipped: outs.filter((o) => !o.bytes).reduce((n, o) => n + o.recordCount, 0) };
}

const filters: RestoreFilter[] = [
  { startTime: T + 10_000, endTime: T + 20_000 },
  { startTime: T + 20_000, endTime: T + 20_000 },
  { startTime: T + 45_000 },
  { endTime: T + 3_000 },
  { startTime: T + 60_000 },
  { startOffset: 7, endOffset: 33 },
  { startOffset: 50 },
  { startOffset: 12, endOffset: 40, startTime: T + 5_000, endTime: T + 30_000 },
  { startTime: T, endTime: T + 49_000 },
];

describe('point-in-time restore filter', () => {
  test('restores exactly the matching records, out-of-order timestamps judged one by one, with any skip', async () => {
    const { batches, records } = await fixture();
    for (const blockMaxBytes of [1, 300, 1 << 20]) {
      const storage = new CountingBackend();
      await writeSegment(storage, 'seg', 'none', batches.map(raw), blockMaxBytes);
      for (const f of filters) {
        const expected = records.filter((r) => recordMatches(f, r.offset, r.timestamp));
        const what = `${JSON.stringify(f)} blocks≤${blockMaxBytes}`;
        const { sent, skipped } = await restore(storage, f, 0);
        assert.deepEqual(sent, expected, what);
        assert.equal(skipped, 0);
        assert.equal(await countRestoredRecords(storage, [{ key: 'seg', stored_bytes: (await storage.head('seg'))!.size }], f), expected.length, `count ${what}`);
        // Resuming after k written records sends exactly the rest: skip counts matching records only.
        for (const k of [1, 3, expected.length - 1, expected.length]) {
          if (k < 0 || k > expected.length) continue;
          const resumed = await restore(storage, f, k, 3);
          assert.equal(resumed.skipped, k, `${what} skip ${k}`);
          assert.deepEqual(resumed.sent, expected.slice(k), `${what} skip ${k}`);
        }
      }
    }
  });

  test('block skipping never skips a block holding a match, and reads no block without one', async () => {
    const { batches, records } = await fixture();
    const storage = new CountingBackend();
    await writeSegment(storage, 'seg', 'none', batches.map(raw), 1);
    const reader = await SegmentReader.open(storage, 'seg');
    assert.ok(reader.blocks.length >= 12, 'one batch per block');
    let skippedBlocks = 0;
    for (const f of filters) {
      for (const e of reader.blocks) {
        const inBlock = records.filter((r) => r.offset >= e.baseOffset && r.offset <= e.lastOffset);
        const matches = inBlock.some((r) => recordMatches(f, r.offset, r.timestamp));
        // The index can only prove absence: a match implies the block is read.
        if (matches) assert.ok(blockMayMatch(f, e), `block [${e.baseOffset}, ${e.lastOffset}] ${JSON.stringify(f)}`);
        if (!blockMayMatch(f, e)) skippedBlocks++;
        if (blockInWindow(f, e)) assert.ok(inBlock.every((r) => recordMatches({ ...f, startOffset: undefined, endOffset: undefined } as RestoreFilter, r.offset, r.timestamp)));
      }
    }
    assert.ok(skippedBlocks > 0, 'some blocks are proven empty of matches');
    // Only the blocks that may match are fetched.
    const f = filters[4]!;
    storage.ranges.length = 0;
    const seen: number[] = [];
    for await (const batch of reader.batches({ blocks: (e) => blockMayMatch(f, e) })) seen.push(batch.header.baseOffset);
    assert.deepEqual(seen, []);
    assert.equal(storage.ranges.length, 0, 'no block read');
  });

  test('config: per-partition offsets override the global ones; no bounds means no filter', () => {
    const restore = { start_offset: 5, end_offset: undefined, time_window_start: T, time_window_end: undefined, partition_offsets: { t: { '1': { end_offset: 9 } } } };
    const r = restore as unknown as Parameters<typeof restoreFilterFor>[0];
    assert.deepEqual(restoreFilterFor(r, 't', 0), { startOffset: 5, startTime: T });
    assert.deepEqual(restoreFilterFor(r, 't', 1), { startOffset: 5, endOffset: 9, startTime: T });
    assert.equal(restoreFilterFor({ partition_offsets: {} } as unknown as Parameters<typeof restoreFilterFor>[0], 't', 0), undefined);
  });
});
