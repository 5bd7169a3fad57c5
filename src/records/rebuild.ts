// The slow path of restore: decode a batch's records and write a new batch the broker accepts
// (see produce.ts for the rules). Used for compacted batches with offset gaps, log-append batches,
// and whenever a filter drops some records of a batch.

import { KafkaBackupError } from '../errors.js';
import { type BatchHeader, recordsSection } from './batch.js';
import { type RecordCodecs, kafkaCodecs } from './codecs.js';
import { encodeBatch } from './encode-batch.js';
import { type KafkaRecord, type RecordHeader, decodeRecords, encodeRecords } from './record.js';
import { NON_IDEMPOTENT, type ProducerStamp, type SourceRange, addSourceRange } from './stamp.js';
import { recordFormatError } from './varint.js';

export interface RebuildOptions {
  /** Called with each record's source offset, visible timestamp and the record; false drops it. */
  keep?: (offset: number, timestamp: number, record: KafkaRecord) => boolean;
  /**
   * Called with each kept record's source offset and visible timestamp; the headers it returns are
   * appended after the record's own (which stay as they are). Used for provenance headers.
   */
  headers?: (offset: number, timestamp: number) => RecordHeader[];
  stamp: ProducerStamp;
  codecs?: RecordCodecs;
}

export interface RebuiltBatch {
  bytes: Buffer;
  recordCount: number;
  /** Source offsets of the first and last kept record. */
  firstOffset: number;
  lastOffset: number;
  /** Source offsets of the kept records, in order, as inclusive ranges. */
  sourceRanges: SourceRange[];
}

/**
 * Rebuilds a (non-control) batch from its kept records: offsetDeltas renumbered 0..n-1, every
 * record keeping its exact visible timestamp (log-append: maxTimestamp; create-time: base + delta)
 * as a create time relative to a baseTimestamp equal to the first kept record's, maxTimestamp the
 * largest of them, attributes = the same codec with create time, not transactional, no delete
 * horizon; records recompressed with the same codec, the stamp applied, CRC computed.
 * Undefined when no record is kept.
 */
export async function rebuildBatch(
  header: BatchHeader,
  bytes: Buffer,
  options: RebuildOptions,
): Promise<RebuiltBatch | undefined> {
  if (header.isControl) throw new KafkaBackupError('INTERNAL', 'rebuildBatch called on a control batch');
  const codecs = options.codecs ?? kafkaCodecs;
  let section = recordsSection(bytes);
  if (header.codec !== 0) section = await codecs.decompressRecords(header.codec, section);
  const records = decodeRecords(section, header.recordCount);

  const kept: KafkaRecord[] = [];
  const timestamps: number[] = [];
  const sourceRanges: SourceRange[] = [];
  let previousDelta = -1;
  for (const record of records) {
    if (record.offsetDelta <= previousDelta || record.offsetDelta > header.lastOffsetDelta) {
      throw recordFormatError(
        `record offsetDelta ${record.offsetDelta} in batch at offset ${header.baseOffset} is out of order or beyond lastOffsetDelta`,
      );
    }
    previousDelta = record.offsetDelta;
    const offset = header.baseOffset + record.offsetDelta;
    const timestamp =
      header.timestampType === 'log-append' ? header.maxTimestamp : header.baseTimestamp + record.timestampDelta;
    if (!Number.isSafeInteger(timestamp)) throw recordFormatError(`record timestamp ${timestamp} is not a safe integer`);
    if (options.keep !== undefined && !options.keep(offset, timestamp, record)) continue;
    kept.push(options.headers ? { ...record, headers: [...record.headers, ...options.headers(offset, timestamp)] } : record);
    timestamps.push(timestamp);
    addSourceRange(sourceRanges, offset, offset);
  }
  if (kept.length === 0) return undefined;

  const baseTimestamp = timestamps[0]!;
  let maxTimestamp = baseTimestamp;
  const renumbered = kept.map((record, i): KafkaRecord => {
    const timestamp = timestamps[i]!;
    if (timestamp > maxTimestamp) maxTimestamp = timestamp;
    return { ...record, offsetDelta: i, timestampDelta: timestamp - baseTimestamp };
  });
  let newSection = encodeRecords(renumbered);
  if (header.codec !== 0) newSection = await codecs.compressRecords(header.codec, newSection);

  const out = encodeBatch(
    {
      baseOffset: 0,
      partitionLeaderEpoch: -1,
      attributes: header.codec,
      lastOffsetDelta: kept.length - 1,
      baseTimestamp,
      maxTimestamp,
      producerId: options.stamp.producerId,
      producerEpoch: options.stamp.producerEpoch,
      baseSequence: options.stamp.baseSequence,
      recordCount: kept.length,
    },
    newSection,
  );
  return {
    bytes: out,
    recordCount: kept.length,
    firstOffset: sourceRanges[0]!.first,
    lastOffset: sourceRanges[sourceRanges.length - 1]!.last,
    sourceRanges,
  };
}

/**
 * Calls `visit` with each record of a (non-control) batch: source offset, visible timestamp (as
 * rebuildBatch computes it) and the record. Writes nothing.
 */
export async function visitRecords(
  header: BatchHeader,
  bytes: Buffer,
  visit: (offset: number, timestamp: number, record: KafkaRecord) => void,
  codecs?: RecordCodecs,
): Promise<void> {
  await rebuildBatch(header, bytes, {
    keep: (o, t, r) => {
      visit(o, t, r);
      return false;
    },
    stamp: NON_IDEMPOTENT,
    ...(codecs ? { codecs } : {}),
  });
}
