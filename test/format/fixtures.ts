// Batches for segment tests: a partition log with every kind of batch the format must carry, and
// the index statistics each batch should contribute, computed from the specs (not from the code
// under test).

import type { BlockIndexEntry } from '../../src/format/segment-binary.js';
import { readBatchHeader, type RawBatch } from '../../src/records/batch.js';
import { buildBatch, buildCompressedBatch, buildControlBatch, type BatchSpec, type SimpleRecord } from '../records/build.js';

export interface FixtureBatch extends RawBatch {
  /** Min/max visible record time, undefined for control and empty batches. */
  time?: { min: number; max: number };
}

const T0 = 1_700_000_000_000;

export function toRaw(bytes: Buffer): RawBatch {
  return { header: readBatchHeader(bytes, 0), bytes };
}

function withTime(bytes: Buffer, spec: BatchSpec): FixtureBatch {
  const times = spec.records.map((r) => r.timestamp);
  const time =
    spec.records.length === 0
      ? undefined
      : spec.logAppendTime !== undefined
        ? { min: spec.logAppendTime, max: spec.logAppendTime }
        : { min: Math.min(...times), max: Math.max(...times) };
  return time ? { ...toRaw(bytes), time } : toRaw(bytes);
}

function records(n: number, seed: number, valueSize: number): SimpleRecord[] {
  return Array.from({ length: n }, (_, i) => ({
    // Out of order within the batch: the base timestamp is not the minimum.
    timestamp: T0 + seed * 1000 + ((i * 7919) % (n * 3)) - n,
    key: `key-${seed}-${i}`,
    value: Buffer.alloc(valueSize, (seed * 31 + i) & 0xff),
  }));
}

/**
 * A log starting at `baseOffset`: plain batches of varying sizes, one batch larger than
 * `bigBatchBytes`, a transactional batch with its commit marker, a gzip producer batch, a
 * log-append-time batch, a compacted batch (offset gaps) and an empty compacted batch.
 */
export async function fixtureLog(baseOffset = 0, plainBatches = 40, bigBatchBytes = 0): Promise<FixtureBatch[]> {
  const out: FixtureBatch[] = [];
  let next = baseOffset;
  const push = (b: FixtureBatch): void => {
    out.push(b);
    next = b.header.lastOffset + 1;
  };
  const plain = (spec: BatchSpec): FixtureBatch => withTime(buildBatch(spec), spec);
  for (let i = 0; i < plainBatches; i++) {
    push(plain({ baseOffset: next, records: records(1 + (i % 9), i, 20 + ((i * 37) % 150)) }));
    if (i === 5 && bigBatchBytes > 0) {
      push(plain({ baseOffset: next, records: records(Math.ceil(bigBatchBytes / 200) + 1, 99, 200) }));
    }
    if (i === 10) {
      push(plain({ baseOffset: next, records: records(3, 100, 30), transactional: true, producerId: 7, producerEpoch: 0 }));
      push(toRaw(buildControlBatch({ baseOffset: next, producerId: 7, type: 'commit', timestamp: T0 - 5_000_000 })));
    }
    if (i === 15) {
      const spec: BatchSpec = { baseOffset: next, records: records(6, 101, 80), codec: 1 };
      push(withTime(await buildCompressedBatch(spec), spec));
    }
    if (i === 20) push(plain({ baseOffset: next, records: records(4, 102, 10), logAppendTime: T0 + 9_999_000 }));
    if (i === 25) {
      const recs = records(3, 103, 10).map((r, k) => ({ ...r, offset: next + k * 2 }));
      push(plain({ baseOffset: next, records: recs, lastOffsetDelta: 6 }));
      push(plain({ baseOffset: next, records: [], lastOffsetDelta: 2 }));
    }
  }
  return out;
}

/** The index statistics a block holding `batches` must have. */
export function expectedBlockStats(
  batches: readonly FixtureBatch[],
): Omit<BlockIndexEntry, 'position' | 'storedLength' | 'rawLength'> {
  const timed = batches.filter((b) => !b.header.isControl && b.time);
  let flags = 0;
  for (const { header: h } of batches) {
    if (h.isControl) flags |= 1;
    if (h.isTransactional) flags |= 2;
    if (h.recordCount !== h.lastOffset - h.baseOffset + 1) flags |= 4;
  }
  return {
    baseOffset: batches[0]!.header.baseOffset,
    lastOffset: batches.at(-1)!.header.lastOffset,
    minTimestamp: timed.length === 0 ? -1 : Math.min(...timed.map((b) => b.time!.min)),
    maxTimestamp: timed.length === 0 ? -1 : Math.max(...timed.map((b) => b.time!.max)),
    dataRecordCount: batches.filter((b) => !b.header.isControl).reduce((n, b) => n + b.header.recordCount, 0),
    batchCount: batches.length,
    flags,
  };
}
