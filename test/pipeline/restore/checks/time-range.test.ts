// The oldest and newest timestamp a restore writes: exact (index and decoding) for every filter,
// equal to the records' own min and max, and inside the manifest bound.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { SegmentEntry } from '../../../../src/format/manifest.js';
import { readBatchHeader } from '../../../../src/records/batch.js';
import { recordMatches, type RestoreFilter } from '../../../../src/pipeline/restore/filter.js';
import { boundTimeRange, exactTimeRange } from '../../../../src/pipeline/restore/checks/time-range.js';
import { buildBatch, buildControlBatch } from '../../../records/build.js';
import { CountingBackend, writeSegment } from '../../../format/helpers.js';

const T = 1_700_000_000_000;

/** 60 records in 12 batches; timestamps out of order (every 7th far back, every 11th far ahead); one log-append batch. */
function fixture() {
  const batches: Buffer[] = [];
  const records: { offset: number; timestamp: number }[] = [];
  let offset = 0;
  for (let b = 0; b < 12; b++) {
    if (b === 6) batches.push(buildControlBatch({ baseOffset: offset++, producerId: 1, type: 'commit' }));
    const rs = Array.from({ length: 5 }, (_, i) => {
      const n = offset + i;
      const timestamp = n % 7 === 3 ? T - 500_000 + n : n % 11 === 5 ? T + 900_000 + n : T + n * 1000;
      return { timestamp, key: `k${n}`, value: 'v' };
    });
    const logAppend = b === 9 ? T + 77_000 : undefined;
    batches.push(buildBatch({ baseOffset: offset, records: rs, ...(logAppend !== undefined ? { logAppendTime: logAppend } : {}) }));
    rs.forEach((r, i) => records.push({ offset: offset + i, timestamp: logAppend ?? r.timestamp }));
    offset += 5;
  }
  return { batches, records };
}

describe('restored time range', () => {
  test('exact for every filter and block size; the manifest bound contains it', async () => {
    const { batches, records } = fixture();
    const filters: (RestoreFilter | undefined)[] = [
      undefined,
      { startTime: T + 10_000, endTime: T + 40_000 },
      { startOffset: 20, endOffset: 44 },
      { startOffset: 3, endOffset: 3 },
      { startTime: T + 10_000_000 },
      { startOffset: 10, startTime: T },
    ];
    for (const blockMaxBytes of [1, 400, 1 << 20]) {
      const storage = new CountingBackend();
      const summary = await writeSegment(storage, 'seg', 'none', batches.map((b) => ({ header: readBatchHeader(b, 0), bytes: b })), blockMaxBytes);
      const segments = [{ ...summary, next_offset: 0, created_at: '' } as SegmentEntry];
      for (const f of filters) {
        const kept = records.filter((r) => !f || recordMatches(f, r.offset, r.timestamp)).map((r) => r.timestamp);
        const expected = kept.length === 0 ? undefined : { min: Math.min(...kept), max: Math.max(...kept) };
        const what = `${JSON.stringify(f)} blocks≤${blockMaxBytes}`;
        assert.deepEqual(await exactTimeRange(storage, segments, f), expected, what);
        const bound = boundTimeRange(segments, f);
        if (expected) assert.ok(bound && bound.min <= expected.min && bound.max >= expected.max, `${what}: bound ${JSON.stringify(bound)}`);
      }
    }
  });
});
