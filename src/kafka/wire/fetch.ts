// Fetch v11 with raw record bytes. A client's own Fetch decodes every record into objects; we need
// the RecordBatch bytes exactly as the broker sent them, so the response is parsed here down to
// each partition's `records` field and no further.
//
// Fetch Request (Version: 11) => replica_id max_wait_ms min_bytes max_bytes isolation_level
//   session_id session_epoch [topics] [forgotten_topics_data] rack_id
//   topics => topic [partitions]
//     partitions => partition current_leader_epoch fetch_offset log_start_offset partition_max_bytes
// Fetch Response (Version: 11) => throttle_time_ms error_code session_id [responses]
//   responses => topic [partitions]
//     partitions => partition_index error_code high_watermark last_stable_offset log_start_offset
//       [aborted_transactions] preferred_read_replica records
//       aborted_transactions => producer_id first_offset
import { READ_COMMITTED, type FetchRequest, type FetchResponse } from '../transport.js';
import { Reader } from './reader.js';
import { Writer, type WireRequest } from './writer.js';

/** The decoded response; `throttleTimeMs` is the broker's quota delay, which the data plane ignores. */
export interface FetchResponsePayload extends FetchResponse {
  throttleTimeMs: number;
}

export function fetchRequest(args: FetchRequest): WireRequest {
  const body = new Writer()
    .int32(-1) // replica_id: a consumer
    .int32(args.maxWaitMs)
    .int32(args.minBytes)
    .int32(args.maxBytes)
    .int8(READ_COMMITTED)
    .int32(0) // session_id 0 + epoch -1: sessionless full fetch (KIP-227)
    .int32(-1)
    .array(args.topics, (w, { topic, partitions }) =>
      w.string(topic).array(partitions, (pw, p) =>
        pw
          .int32(p.partition)
          .int32(-1) // current_leader_epoch: unknown
          .int64(p.fetchOffset)
          .int64(-1) // log_start_offset: only followers send it
          .int32(p.partitionMaxBytes),
      ),
    )
    .array([], () => undefined) // forgotten_topics_data
    .string(''); // rack_id
  return { apiKey: 1, apiVersion: 11, apiName: 'Fetch', body: body.buffer };
}

/** Partition `records` are views into `payload`, not copies. */
export function readFetchResponse(payload: Buffer): FetchResponsePayload {
  const r = new Reader(payload);
  const throttleTimeMs = r.int32();
  const errorCode = r.int16();
  r.int32(); // session_id
  const topics = r.array((t) => {
    const topic = t.string() ?? '';
    const partitions = t.array((p) => {
      const partition = p.int32();
      const where = `Fetch response ${topic}/${partition}`;
      const errorCode = p.int16();
      const highWatermark = p.int64(`${where} high_watermark`);
      const lastStableOffset = p.int64(`${where} last_stable_offset`);
      const logStartOffset = p.int64(`${where} log_start_offset`);
      const abortedCount = p.int32();
      const abortedTransactions: { producerId: number; firstOffset: number }[] = [];
      for (let i = 0; i < abortedCount; i++) {
        const producerId = p.int64(`${where} aborted_transactions[${i}].producer_id`);
        abortedTransactions.push({ producerId, firstOffset: p.int64(`${where} aborted_transactions[${i}].first_offset`) });
      }
      p.int32(); // preferred_read_replica
      const records = p.bytes() ?? Buffer.alloc(0);
      return { partition, errorCode, highWatermark, lastStableOffset, logStartOffset, abortedTransactions, records };
    });
    return { topic, partitions };
  });
  return { throttleTimeMs, errorCode, topics };
}
