// The timestamps consumers see for a batch's records: what point-in-time restore and the backup
// index compare against.

import { type BatchHeader, recordsSection } from './batch.js';
import { type RecordCodecs, kafkaCodecs } from './codecs.js';
import { recordTimestampRange } from './record.js';

/**
 * Minimum and maximum record timestamp of a batch; undefined for a batch with no records.
 * Log-append batches: every record's timestamp is maxTimestamp. Create-time batches: both bounds
 * come from walking the records (baseTimestamp + timestampDelta), not from the header, since a
 * producer can write any maxTimestamp and records need not be in timestamp order. Compressed
 * batches are decompressed for the walk.
 */
export async function batchTimeRange(
  header: BatchHeader,
  bytes: Buffer,
  codecs: Pick<RecordCodecs, 'decompressRecords'> = kafkaCodecs,
): Promise<{ min: number; max: number } | undefined> {
  if (header.recordCount === 0) return undefined;
  if (header.timestampType === 'log-append') return { min: header.maxTimestamp, max: header.maxTimestamp };
  let section = recordsSection(bytes);
  if (header.codec !== 0) section = await codecs.decompressRecords(header.codec, section);
  return recordTimestampRange(section, header.recordCount, header.baseTimestamp);
}
