// Fetch v11 with raw record bytes. kafkajs's own Fetch decodes every record into objects; we need
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
import { Encoder, type KjsRequest, type KjsResponse } from '../kafkajs-internals.js';
import { ByteCursor } from '../../records/cursor.js';

export const READ_COMMITTED = 1;

export interface FetchPartitionRequest {
  partition: number;
  fetchOffset: number;
  partitionMaxBytes: number;
}

export interface FetchRequestArgs {
  maxWaitMs: number;
  minBytes: number;
  maxBytes: number;
  topics: { topic: string; partitions: FetchPartitionRequest[] }[];
}

export interface FetchPartitionResponse {
  partition: number;
  errorCode: number;
  highWatermark: number;
  lastStableOffset: number;
  logStartOffset: number;
  abortedTransactions: { producerId: number; firstOffset: number }[];
  /** Raw RecordBatch bytes, a view into the response payload; may end with a partial batch. */
  records: Buffer;
}

export interface FetchResponse {
  throttleTimeMs: number;
  errorCode: number;
  topics: { topic: string; partitions: FetchPartitionResponse[] }[];
}

export function fetchRequest(args: FetchRequestArgs): KjsRequest {
  return {
    apiKey: 1,
    apiVersion: 11,
    apiName: 'Fetch',
    encode: async () =>
      new Encoder()
        .writeInt32(-1) // replica_id: a consumer
        .writeInt32(args.maxWaitMs)
        .writeInt32(args.minBytes)
        .writeInt32(args.maxBytes)
        .writeInt8(READ_COMMITTED)
        .writeInt32(0) // session_id 0 + epoch -1: sessionless full fetch (KIP-227)
        .writeInt32(-1)
        .writeArray(
          args.topics.map(({ topic, partitions }) =>
            new Encoder().writeString(topic).writeArray(
              partitions.map((p) =>
                new Encoder()
                  .writeInt32(p.partition)
                  .writeInt32(-1) // current_leader_epoch: unknown
                  .writeInt64(p.fetchOffset)
                  .writeInt64(-1) // log_start_offset: only followers send it
                  .writeInt32(p.partitionMaxBytes),
              ),
            ),
          ),
        )
        .writeArray([]) // forgotten_topics_data
        .writeString(''), // rack_id
  };
}

export const fetchResponse: KjsResponse<FetchResponse> = {
  decode: async (payload) => {
    const r = ByteCursor.response(payload);
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
  },
  parse: async (decoded) => decoded,
};
