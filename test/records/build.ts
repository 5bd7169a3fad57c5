// Test helper: valid v2 batches from simple record lists, built with the library's own encoders
// (their bytes are checked independently in batch.test.ts and record.test.ts).

import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import { attributeBits, readBatchHeader, recordsSection } from '../../src/records/batch.js';
import type { RecordCodecs } from '../../src/records/codecs.js';
import { encodeBatch, type BatchFields } from '../../src/records/encode-batch.js';
import { type KafkaRecord, decodeRecords, encodeRecords } from '../../src/records/record.js';

export interface SimpleRecord {
  /** Absolute offset; default baseOffset + index (a gap-free batch). */
  offset?: number;
  timestamp: number;
  key?: string | Buffer | null;
  value?: string | Buffer | null;
  headers?: { key: string | Buffer; value: string | Buffer | null }[];
}

export interface BatchSpec {
  baseOffset?: number;
  records: SimpleRecord[];
  /** Default 0. Non-zero codecs need buildCompressedBatch. */
  codec?: number;
  /** Makes a log-append batch whose maxTimestamp (the visible time of every record) is this. */
  logAppendTime?: number;
  transactional?: boolean;
  producerId?: number;
  producerEpoch?: number;
  baseSequence?: number;
  partitionLeaderEpoch?: number;
  /** Sets the delete-horizon bit and uses this as baseTimestamp (record deltas become relative to it). */
  deleteHorizon?: number;
  /** Default: last record's offset - baseOffset. Set larger to model records compacted off the end. */
  lastOffsetDelta?: number;
  /** Default: the largest record timestamp (or logAppendTime). */
  maxTimestamp?: number;
}

const toBytes = (v: string | Buffer | null | undefined): Buffer | null =>
  v === undefined || v === null ? null : typeof v === 'string' ? Buffer.from(v) : v;

function prepare(spec: BatchSpec): { fields: BatchFields; section: Buffer } {
  const baseOffset = spec.baseOffset ?? 0;
  const first = spec.records[0]?.timestamp ?? 0;
  const baseTimestamp = spec.deleteHorizon ?? first;
  const records: KafkaRecord[] = spec.records.map((r, i) => ({
    attributes: 0,
    timestampDelta: r.timestamp - baseTimestamp,
    offsetDelta: (r.offset ?? baseOffset + i) - baseOffset,
    key: toBytes(r.key),
    value: toBytes(r.value),
    headers: (r.headers ?? []).map((h) => ({ key: toBytes(h.key)!, value: toBytes(h.value) })),
  }));
  const lastDelta = records.length === 0 ? -1 : records[records.length - 1]!.offsetDelta;
  const maxRecordTime = spec.records.reduce((m, r) => Math.max(m, r.timestamp), -1);
  let attributes = spec.codec ?? 0;
  if (spec.logAppendTime !== undefined) attributes |= attributeBits.logAppendTime;
  if (spec.transactional === true) attributes |= attributeBits.transactional;
  if (spec.deleteHorizon !== undefined) attributes |= attributeBits.deleteHorizon;
  const fields: BatchFields = {
    baseOffset,
    partitionLeaderEpoch: spec.partitionLeaderEpoch ?? 0,
    attributes,
    lastOffsetDelta: spec.lastOffsetDelta ?? lastDelta,
    baseTimestamp,
    maxTimestamp: spec.maxTimestamp ?? spec.logAppendTime ?? maxRecordTime,
    producerId: spec.producerId ?? -1,
    producerEpoch: spec.producerEpoch ?? -1,
    baseSequence: spec.baseSequence ?? -1,
    recordCount: records.length,
  };
  return { fields, section: encodeRecords(records) };
}

/** An uncompressed batch. */
export function buildBatch(spec: BatchSpec): Buffer {
  if ((spec.codec ?? 0) !== 0) throw new Error('buildBatch builds uncompressed batches; use buildCompressedBatch');
  const { fields, section } = prepare(spec);
  return encodeBatch(fields, section);
}

/** A batch whose records section is compressed with spec.codec by `codecs`. */
export async function buildCompressedBatch(spec: BatchSpec, codecs: RecordCodecs = zlibCodecs): Promise<Buffer> {
  const { fields, section } = prepare(spec);
  return encodeBatch(fields, await codecs.compressRecords(fields.attributes & attributeBits.codec, section));
}

/** A transaction marker as a transaction coordinator writes it: one record, key = version 0 + type. */
export function buildControlBatch(spec: {
  baseOffset: number;
  producerId: number;
  producerEpoch?: number;
  type: 'abort' | 'commit' | number;
  timestamp?: number;
}): Buffer {
  const key = Buffer.alloc(4);
  key.writeInt16BE(0, 0);
  key.writeInt16BE(spec.type === 'abort' ? 0 : spec.type === 'commit' ? 1 : spec.type, 2);
  const value = Buffer.from([0, 0, 0, 0, 0, 0]); // version int16 + coordinatorEpoch int32
  const timestamp = spec.timestamp ?? 1_700_000_000_000;
  const section = encodeRecords([{ attributes: 0, timestampDelta: 0, offsetDelta: 0, key, value, headers: [] }]);
  return encodeBatch(
    {
      baseOffset: spec.baseOffset,
      partitionLeaderEpoch: 0,
      attributes: attributeBits.control | attributeBits.transactional,
      lastOffsetDelta: 0,
      baseTimestamp: timestamp,
      maxTimestamp: timestamp,
      producerId: spec.producerId,
      producerEpoch: spec.producerEpoch ?? 0,
      baseSequence: -1,
      recordCount: 1,
    },
    section,
  );
}

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

/** Codecs 0 and 1 (gzip) through node:zlib only, so tests do not depend on src/kafka/compression.ts. */
export const zlibCodecs: RecordCodecs = {
  async compressRecords(codec, data) {
    if (codec === 0) return data;
    if (codec === 1) return gzipAsync(data);
    throw new Error(`zlibCodecs: codec ${codec} not supported`);
  },
  async decompressRecords(codec, data) {
    if (codec === 0) return data;
    if (codec === 1) return gunzipAsync(data);
    throw new Error(`zlibCodecs: codec ${codec} not supported`);
  },
};

/** Records 0..n-1 with distinct keys, values and timestamps start + i * step. */
export function sequentialRecords(n: number, start = 1_700_000_000_000, step = 1000): SimpleRecord[] {
  return Array.from({ length: n }, (_, i) => ({ timestamp: start + i * step, key: `k${i}`, value: `value-${i}` }));
}

export interface VisibleRecord {
  offset: number;
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: { key: Buffer; value: Buffer | null }[];
}

/** The records of a batch as a consumer sees them: absolute offsets and timestamps. */
export async function readBack(bytes: Buffer, codecs: RecordCodecs = zlibCodecs): Promise<VisibleRecord[]> {
  const h = readBatchHeader(bytes, 0);
  const section = await codecs.decompressRecords(h.codec, recordsSection(bytes));
  return decodeRecords(section, h.recordCount).map((r) => ({
    offset: h.baseOffset + r.offsetDelta,
    timestamp: h.timestampType === 'log-append' ? h.maxTimestamp : h.baseTimestamp + r.timestampDelta,
    key: r.key,
    value: r.value,
    headers: r.headers,
  }));
}
