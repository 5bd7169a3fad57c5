// The backup's one record-level operation, for a rare case: when the log start offset lies inside
// a batch (kafka-delete-records moved it there), a fetch from the log start returns the whole
// batch, records the broker already counts as deleted included. Consumers never see those; the
// backup must not keep them either. trimBatch drops them and keeps everything else as it was:
// the remaining records' offsets (base offset = the first kept record's), timestamps, attributes,
// producer fields and codec. Only offset and timestamp deltas, the counts and the CRC change.
import { KafkaBackupError } from '../errors.js';
import { type BatchHeader, recordsSection } from './batch.js';
import { type RecordCodecs, kafkaCodecs } from './codecs.js';
import { encodeBatch } from './encode-batch.js';
import { decodeRecords, encodeRecords, type KafkaRecord } from './record.js';

/** The batch without its records below `fromOffset`, or undefined when none is left. */
export async function trimBatch(
  header: BatchHeader,
  bytes: Buffer,
  fromOffset: number,
  codecs: RecordCodecs = kafkaCodecs,
): Promise<Buffer | undefined> {
  if (header.isControl) throw new KafkaBackupError('INTERNAL', 'trimBatch called on a control batch');
  if (fromOffset <= header.baseOffset) return bytes;
  let section = recordsSection(bytes);
  if (header.codec !== 0) section = await codecs.decompressRecords(header.codec, section);
  const kept = decodeRecords(section, header.recordCount).filter((r) => header.baseOffset + r.offsetDelta >= fromOffset);
  if (kept.length === 0) return undefined;
  const first = kept[0]!;
  const newBase = header.baseOffset + first.offsetDelta;
  // For log-append batches every record's time is maxTimestamp anyway; keep deltas consistent.
  const newBaseTimestamp = header.baseTimestamp + first.timestampDelta;
  const records = kept.map(
    (r): KafkaRecord => ({
      ...r,
      offsetDelta: r.offsetDelta - first.offsetDelta,
      timestampDelta: r.timestampDelta - first.timestampDelta,
    }),
  );
  let newSection = encodeRecords(records);
  if (header.codec !== 0) newSection = await codecs.compressRecords(header.codec, newSection);
  return encodeBatch(
    {
      baseOffset: newBase,
      partitionLeaderEpoch: header.partitionLeaderEpoch,
      attributes: header.attributes,
      lastOffsetDelta: header.lastOffset - newBase,
      baseTimestamp: newBaseTimestamp,
      maxTimestamp: header.maxTimestamp,
      producerId: header.producerId,
      producerEpoch: header.producerEpoch,
      // A producer's sequence numbers count records: the first kept record's sequence.
      baseSequence: header.baseSequence < 0 ? header.baseSequence : (header.baseSequence + first.offsetDelta) % 2 ** 31,
      recordCount: kept.length,
    },
    newSection,
  );
}
