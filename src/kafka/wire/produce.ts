// Produce v7 carrying ready-made RecordBatch bytes (one batch per partition per request, as the
// broker requires for v3+). The batches arrive already stamped by src/records/produce.ts.
//
// Produce Request (Version: 7) => transactional_id acks timeout_ms [topic_data]
//   topic_data => name [partition_data]
//     partition_data => index records
// Produce Response (Version: 7) => [responses] throttle_time_ms
//   responses => name [partition_responses]
//     partition_responses => index error_code base_offset log_append_time_ms log_start_offset
import type { ProduceRequest, ProduceResponse } from '../transport.js';
import { Reader } from './reader.js';
import { Writer, type WireRequest } from './writer.js';

/** The decoded response; `throttleTimeMs` is the broker's quota delay, which the restore ignores. */
export interface ProduceResponsePayload extends ProduceResponse {
  throttleTimeMs: number;
}

export function produceRequest(args: ProduceRequest): WireRequest {
  const size = args.topics.reduce((n, t) => t.partitions.reduce((m, p) => m + p.batch.length + 8, n + 6 + Buffer.byteLength(t.topic)), 12);
  const body = new Writer(size)
    .string(null) // transactional_id
    .int16(args.acks)
    .int32(args.timeoutMs)
    .array(args.topics, (w, { topic, partitions }) => w.string(topic).array(partitions, (pw, p) => pw.int32(p.partition).bytes(p.batch)));
  return { apiKey: 0, apiVersion: 7, apiName: 'Produce', body: body.buffer };
}

export function readProduceResponse(payload: Buffer): ProduceResponsePayload {
  const r = new Reader(payload);
  const topics = r.array((t) => {
    const topic = t.string() ?? '';
    const partitions = t.array((p) => {
      const partition = p.int32();
      const errorCode = p.int16();
      const baseOffset = p.int64(`Produce response ${topic}/${partition} base_offset`);
      p.skip(8); // log_append_time_ms
      p.skip(8); // log_start_offset
      return { partition, errorCode, baseOffset };
    });
    return { topic, partitions };
  });
  return { topics, throttleTimeMs: r.int32() };
}
