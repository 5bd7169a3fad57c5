// ListOffsets by timestamp, read-committed: the first offset below the last stable offset whose
// record time is at or after `timestamp` (control batches skipped), or -1 when there is none.
import { batchLayout } from '../../../src/records/batch.js';
import { kafkaCodecs } from '../../../src/records/codecs.js';
import { decodeRecords } from '../../../src/records/record.js';
import type { PartitionLog } from './partition-log.js';

export async function offsetForTimestamp(log: PartitionLog, timestamp: number): Promise<number> {
  for (const { header: h, bytes } of log.batches) {
    if (h.baseOffset >= log.lastStableOffset) break;
    if (h.isControl || h.maxTimestamp < timestamp) continue;
    if (h.timestampType === 'log-append') return Math.max(h.baseOffset, log.logStartOffset);
    const section = await kafkaCodecs.decompressRecords(h.codec, bytes.subarray(batchLayout.records));
    for (const r of decodeRecords(section, h.recordCount)) {
      const offset = h.baseOffset + r.offsetDelta;
      if (offset >= log.logStartOffset && h.baseTimestamp + r.timestampDelta >= timestamp) return offset;
    }
  }
  return -1;
}
