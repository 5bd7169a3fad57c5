// How many records a point-in-time restore writes for one partition, without a target: blocks the
// index proves fully inside the filter count from the index, blocks it proves empty of matches are
// never read, and only the blocks straddling a bound are decoded.
import { SegmentReader } from '../../../format/segment-reader.js';
import { visitRecords } from '../../../records/produce.js';
import type { StorageBackend } from '../../../storage/backend.js';
import { blockFullyMatches, blockMayMatch, judgeBatch, recordMatches, type RestoreFilter } from '../filter.js';

export interface CountedSegment {
  key: string;
  stored_bytes: number;
}

export async function countRestoredRecords(storage: StorageBackend, segments: readonly CountedSegment[], filter: RestoreFilter): Promise<number> {
  let n = 0;
  for (const seg of segments) {
    const reader = await SegmentReader.open(storage, seg.key, { size: seg.stored_bytes });
    for (const e of reader.blocks) if (blockMayMatch(filter, e) && blockFullyMatches(filter, e)) n += e.dataRecordCount;
    const straddling = (e: (typeof reader.blocks)[number]) => blockMayMatch(filter, e) && !blockFullyMatches(filter, e);
    for await (const batch of reader.batches({ blocks: straddling })) {
      const h = batch.header;
      if (h.isControl || h.recordCount === 0) continue;
      const verdict = judgeBatch(filter, h, false);
      if (verdict === 'all') n += h.recordCount;
      else if (verdict === 'some') {
        await visitRecords(h, batch.bytes, (o, t) => {
          if (recordMatches(filter, o, t)) n++;
        });
      }
    }
  }
  return n;
}
