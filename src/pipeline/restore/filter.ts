// Point-in-time restore: which records of a partition a restore writes (docs/point-in-time.md).
// A record is restored when its source offset lies in [startOffset, endOffset] and its visible
// timestamp (create time, or the batch's maxTimestamp for log-append time, as rebuildBatch
// computes it) lies in [startTime, endTime]. Every bound is inclusive and optional.
import type { Config } from '../../config/types.js';
import type { BlockIndexEntry } from '../../format/segment-binary.js';
import type { BatchHeader } from '../../records/batch.js';

export interface RestoreFilter {
  startOffset?: number;
  endOffset?: number;
  startTime?: number;
  endTime?: number;
}

/** The filter for one source partition, or undefined when the config restores everything. */
export function restoreFilterFor(restore: Config['restore'], topic: string, partition: number): RestoreFilter | undefined {
  const own = restore.partition_offsets?.[topic]?.[String(partition)];
  const f: RestoreFilter = {};
  const startOffset = own?.start_offset ?? restore.start_offset;
  const endOffset = own?.end_offset ?? restore.end_offset;
  if (startOffset !== undefined) f.startOffset = startOffset;
  if (endOffset !== undefined) f.endOffset = endOffset;
  if (restore.time_window_start !== undefined) f.startTime = restore.time_window_start;
  if (restore.time_window_end !== undefined) f.endTime = restore.time_window_end;
  return Object.keys(f).length === 0 ? undefined : f;
}

export function hasWindow(f: RestoreFilter): boolean {
  return f.startTime !== undefined || f.endTime !== undefined;
}

export function offsetMatches(f: RestoreFilter, offset: number): boolean {
  return (f.startOffset === undefined || offset >= f.startOffset) && (f.endOffset === undefined || offset <= f.endOffset);
}

export function timeMatches(f: RestoreFilter, timestamp: number): boolean {
  return (f.startTime === undefined || timestamp >= f.startTime) && (f.endTime === undefined || timestamp <= f.endTime);
}

export function recordMatches(f: RestoreFilter, offset: number, timestamp: number): boolean {
  return offsetMatches(f, offset) && timeMatches(f, timestamp);
}

/** Whether [first, last] has no offset in the filter's range. */
function outsideOffsets(f: RestoreFilter, first: number, last: number): boolean {
  return (f.startOffset !== undefined && last < f.startOffset) || (f.endOffset !== undefined && first > f.endOffset);
}

function insideOffsets(f: RestoreFilter, first: number, last: number): boolean {
  return offsetMatches(f, first) && offsetMatches(f, last);
}

/**
 * False only when the index proves no record of the block matches: no data record, every
 * timestamp before the window or after it, or the offsets outside the range.
 */
export function blockMayMatch(f: RestoreFilter, e: BlockIndexEntry): boolean {
  if (e.dataRecordCount === 0 || outsideOffsets(f, e.baseOffset, e.lastOffset)) return false;
  if (!hasWindow(f)) return true;
  if (e.minTimestamp < 0 && e.maxTimestamp < 0) return false;
  if (f.startTime !== undefined && e.maxTimestamp < f.startTime) return false;
  if (f.endTime !== undefined && e.minTimestamp > f.endTime) return false;
  return true;
}

/** Whether the index proves every data record of the block lies in the time window. */
export function blockInWindow(f: RestoreFilter, e: BlockIndexEntry): boolean {
  if (!hasWindow(f)) return true;
  if (e.dataRecordCount === 0 || e.minTimestamp < 0) return false;
  return timeMatches(f, e.minTimestamp) && timeMatches(f, e.maxTimestamp);
}

/** Whether the index proves every data record of the block is restored. */
export function blockFullyMatches(f: RestoreFilter, e: BlockIndexEntry): boolean {
  return insideOffsets(f, e.baseOffset, e.lastOffset) && blockInWindow(f, e);
}

/**
 * What the batch header alone decides: 'none' (no record matches), 'all' (every record does,
 * given `inWindow`: the caller knows every timestamp is in the window), or 'some' (decode).
 */
export function judgeBatch(f: RestoreFilter, h: BatchHeader, inWindow: boolean): 'none' | 'all' | 'some' {
  if (outsideOffsets(f, h.baseOffset, h.lastOffset)) return 'none';
  const offsetsAll = insideOffsets(f, h.baseOffset, h.lastOffset);
  if (h.timestampType === 'log-append' && hasWindow(f)) {
    if (!timeMatches(f, h.maxTimestamp)) return 'none';
    return offsetsAll ? 'all' : 'some';
  }
  return offsetsAll && (inWindow || !hasWindow(f)) ? 'all' : 'some';
}
