// Provenance headers (restore.provenance_headers, off by default): every restored record gets four
// headers naming where it came from, appended after its own headers, so consumers of the target
// can deduplicate or trace records across a restore. Values are UTF-8 text (numbers in decimal),
// readable from any client in any language without knowing an encoding:
//
//   kafka-backup.source.topic      the backed-up (source) topic's name, not the target's
//   kafka-backup.source.partition  the source partition
//   kafka-backup.source.offset     the record's offset in the source partition
//   kafka-backup.source.timestamp  the record's visible timestamp (epoch ms) as the backup stored it
//                                  (log-append batches: the append time)

import { KafkaBackupError } from '../errors.js';
import { type RawBatch, batchLayout, readBatchHeader } from './batch.js';
import { writeSafeInt64 } from './int64.js';
import type { RecordHeader } from './record.js';
import { rebuildBatch } from './rebuild.js';
import { NON_IDEMPOTENT } from './stamp.js';

export const PROVENANCE_HEADER_KEYS = [
  'kafka-backup.source.topic',
  'kafka-backup.source.partition',
  'kafka-backup.source.offset',
  'kafka-backup.source.timestamp',
] as const;

/** The headers a record of (topic, partition) gets, by its source offset and visible timestamp. */
export type ProvenanceHeaders = (offset: number, timestamp: number) => RecordHeader[];

export function provenanceHeaders(sourceTopic: string, partition: number): ProvenanceHeaders {
  const [topicKey, partitionKey, offsetKey, timestampKey] = PROVENANCE_HEADER_KEYS.map((k) => Buffer.from(k, 'utf8'));
  // The same for every record of the partition: encoded once, shared (encodeRecords only reads them).
  const topic: RecordHeader = { key: topicKey!, value: Buffer.from(sourceTopic, 'utf8') };
  const part: RecordHeader = { key: partitionKey!, value: Buffer.from(String(partition), 'utf8') };
  return (offset, timestamp) => [
    topic,
    part,
    { key: offsetKey!, value: Buffer.from(String(offset), 'utf8') },
    { key: timestampKey!, value: Buffer.from(String(timestamp), 'utf8') },
  ];
}

/**
 * A gap-free create-time batch rebuilt with the provenance headers, that still looks like the
 * stored batch to the batcher's merge path: baseOffset is the source's (the broker ignores it and
 * stampForProduce/mergeUncompressed overwrite it; baseOffset is outside the CRC), so source ranges
 * stay right. Codec and every record's timestamp are kept. The caller ensures the batch needs no
 * rebuild and holds at least one record.
 */
export async function withProvenance(batch: RawBatch, headers: ProvenanceHeaders): Promise<RawBatch> {
  const rebuilt = await rebuildBatch(batch.header, batch.bytes, { headers, stamp: NON_IDEMPOTENT });
  if (!rebuilt) throw new KafkaBackupError('INTERNAL', `withProvenance called on the empty batch at offset ${batch.header.baseOffset}`);
  const bytes = rebuilt.bytes;
  writeSafeInt64(bytes, batchLayout.baseOffset, batch.header.baseOffset, 'baseOffset');
  return { header: readBatchHeader(bytes, 0), bytes };
}
