// The (de)compression seam for records sections. Functions that may need it take an optional
// `codecs` argument defaulting to the Kafka codecs, so tests can inject their own.

import { compressRecords, decompressRecords } from '../kafka/compression.js';

export interface RecordCodecs {
  /** Codec 0 may return `data` itself. */
  decompressRecords(codec: number, data: Buffer): Promise<Buffer>;
  compressRecords(codec: number, data: Buffer): Promise<Buffer>;
}

export const kafkaCodecs: RecordCodecs = { compressRecords, decompressRecords };
