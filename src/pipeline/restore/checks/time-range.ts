// The oldest and newest timestamp a restore writes into one partition, judged like the restore:
// the visible timestamp (CreateTime, or a LogAppendTime batch's append time), only records the
// point-in-time window and offset range select. Timestamps below 0 (NO_TIMESTAMP) are left out:
// Kafka does not check them.
//
// Two precisions: `boundTimeRange` reads nothing (the manifest's per-segment min/max, cut to the
// window) and may be wider than the truth; `exactTimeRange` reads the block index of segments the
// manifest cannot decide and decodes only the blocks the index cannot decide. Callers use the
// bound first and the exact range only when the bound crosses a limit.
import type { SegmentEntry } from '../../../format/manifest.js';
import { SegmentReader, type BlockIndexEntry } from '../../../format/segment-reader.js';
import { visitRecords } from '../../../records/produce.js';
import type { StorageBackend } from '../../../storage/backend.js';
import { blockFullyMatches, blockMayMatch, judgeBatch, recordMatches, type RestoreFilter } from '../filter.js';

export interface TimeRange {
  min: number;
  max: number;
}

type Span = Pick<BlockIndexEntry, 'baseOffset' | 'lastOffset' | 'minTimestamp' | 'maxTimestamp' | 'dataRecordCount'>;

const spanOf = (s: SegmentEntry): Span => ({
  baseOffset: s.base_offset,
  lastOffset: s.last_offset,
  minTimestamp: s.min_timestamp,
  maxTimestamp: s.max_timestamp,
  dataRecordCount: s.record_count,
});

function widen(r: TimeRange | undefined, min: number, max: number): TimeRange {
  return r ? { min: Math.min(r.min, min), max: Math.max(r.max, max) } : { min, max };
}

/** Whether the span's min/max are exactly those of the records restored from it. */
function exactSpan(f: RestoreFilter | undefined, s: Span): boolean {
  return s.minTimestamp >= 0 && (f === undefined || blockFullyMatches(f, s as BlockIndexEntry));
}

/** A range containing every restored timestamp of the segments (min may be -Infinity: unknown). */
export function boundTimeRange(segments: readonly SegmentEntry[], f: RestoreFilter | undefined): TimeRange | undefined {
  let r: TimeRange | undefined;
  for (const seg of segments) {
    const s = spanOf(seg);
    if (s.maxTimestamp < 0 || (f && !blockMayMatch(f, s as BlockIndexEntry))) continue;
    let min = s.minTimestamp < 0 ? -Infinity : s.minTimestamp;
    let max = s.maxTimestamp;
    if (f?.startTime !== undefined) min = Math.max(min, f.startTime);
    if (f?.endTime !== undefined) max = Math.min(max, f.endTime);
    r = widen(r, min, max);
  }
  return r;
}

/** The exact range of restored timestamps of the segments; undefined when none is restored. */
export async function exactTimeRange(storage: StorageBackend, segments: readonly SegmentEntry[], f: RestoreFilter | undefined): Promise<TimeRange | undefined> {
  let r: TimeRange | undefined;
  for (const seg of segments) {
    const s = spanOf(seg);
    if (s.maxTimestamp < 0 || (f && !blockMayMatch(f, s as BlockIndexEntry))) continue;
    if (exactSpan(f, s)) {
      r = widen(r, s.minTimestamp, s.maxTimestamp);
      continue;
    }
    const reader = await SegmentReader.open(storage, seg.key, { size: seg.stored_bytes });
    const undecided = (e: BlockIndexEntry) => e.maxTimestamp >= 0 && (!f || blockMayMatch(f, e)) && !exactSpan(f, e);
    for (const e of reader.blocks) if (e.maxTimestamp >= 0 && (!f || blockMayMatch(f, e)) && exactSpan(f, e)) r = widen(r, e.minTimestamp, e.maxTimestamp);
    for await (const batch of reader.batches({ blocks: undecided })) {
      const h = batch.header;
      if (h.isControl || h.recordCount === 0 || (f && judgeBatch(f, h, false) === 'none')) continue;
      await visitRecords(h, batch.bytes, (offset, timestamp) => {
        if (timestamp >= 0 && (!f || recordMatches(f, offset, timestamp))) r = widen(r, timestamp, timestamp);
      });
    }
  }
  return r;
}
