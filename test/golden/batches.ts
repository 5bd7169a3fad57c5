// The deterministic partition log the golden backups were generated from (see generate.ts). It is
// read only by generate.ts: golden.test.ts checks the committed files against
// v1/expected-batches.json, never against a fresh build of these batches.

import { buildBatch, buildCompressedBatch, buildControlBatch, type SimpleRecord } from '../records/build.js';

const T0 = 1_767_225_600_000; // 2026-01-01T00:00:00.000Z

const headers: SimpleRecord['headers'] = [
  { key: 'trace-id', value: 'abc-123' },
  { key: 'null-value', value: null },
  { key: 'empty-value', value: '' },
  { key: '', value: 'empty key' },
  { key: 'binary', value: Buffer.from([0x00, 0xff, 0x80, 0x0d, 0x0a, 0x7f]) },
  { key: 'dup', value: 'first' },
  { key: 'dup', value: 'second' },
];

function plain(n: number, seed: number, valueBytes = 40): SimpleRecord[] {
  return Array.from({ length: n }, (_, i) => ({
    // Out of order inside the batch: the first record is not the earliest.
    timestamp: T0 + seed * 60_000 + ((i * 7) % n) * 1000 - (i === 1 ? 30_000 : 0),
    key: `key-${seed}-${i}`,
    value: Buffer.alloc(valueBytes, `value ${seed}/${i}; `),
  }));
}

/** Segment 1: offsets 0..~40, every kind of batch. */
export async function segmentOneBatches(): Promise<Buffer[]> {
  return [
    buildBatch({
      baseOffset: 0,
      records: [
        { timestamp: T0 + 5000, key: 'order-1', value: '{"amount":12.5}', headers },
        { timestamp: T0, key: null, value: 'null key' },
        { timestamp: T0 + 1000, key: '', value: '' },
        { timestamp: T0 + 2000, key: Buffer.from([0, 1, 2, 3, 254, 255]), value: null },
        { timestamp: T0 + 3000, key: 'same-key', value: 'v1' },
        { timestamp: T0 + 3000, key: 'same-key', value: 'v2' },
      ],
    }),
    buildBatch({ baseOffset: 6, records: plain(5, 1), producerId: 1000, producerEpoch: 0, baseSequence: 0 }),
    buildBatch({ baseOffset: 11, records: plain(3, 2), transactional: true, producerId: 42, producerEpoch: 3 }),
    buildControlBatch({ baseOffset: 14, producerId: 42, producerEpoch: 3, type: 'commit', timestamp: T0 + 200_000 }),
    await buildCompressedBatch({ baseOffset: 15, records: plain(8, 3, 120), codec: 1 }),
    buildBatch({ baseOffset: 23, records: plain(4, 4), logAppendTime: T0 + 999_000 }),
    // Log compaction left offsets 27, 29, 31 of 27..33 and an empty batch for 34..35.
    buildBatch({
      baseOffset: 27,
      records: plain(3, 5).map((r, i) => ({ ...r, offset: 27 + i * 2 })),
      lastOffsetDelta: 6,
    }),
    buildBatch({ baseOffset: 34, records: [], lastOffsetDelta: 1, maxTimestamp: T0 }),
    buildBatch({ baseOffset: 36, records: plain(6, 6, 300) }),
  ];
}

/** Segment 2: after a gap, offsets 100..; includes a batch larger than a block. */
export function segmentTwoBatches(): Buffer[] {
  return [
    buildBatch({ baseOffset: 100, records: plain(2, 7) }),
    buildBatch({ baseOffset: 102, records: plain(3, 8, 1500) }),
    buildBatch({ baseOffset: 105, records: plain(1, 9, 10) }),
  ];
}

export const GOLDEN_BLOCK_MAX_BYTES = 1024;
export const GOLDEN_TIME = new Date(T0 + 3_600_000);
