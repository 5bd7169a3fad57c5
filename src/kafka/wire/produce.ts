// Produce v7 carrying ready-made RecordBatch bytes (one batch per partition per request, as the
// broker requires for v3+). The batches arrive already stamped by src/records/produce.ts.
//
// Produce Request (Version: 7) => transactional_id acks timeout_ms [topic_data]
//   topic_data => name [partition_data]
//     partition_data => index records
// Produce Response (Version: 7) => [responses] throttle_time_ms
//   responses => name [partition_responses]
//     partition_responses => index error_code base_offset log_append_time_ms log_start_offset
import { Encoder, type KjsRequest, type KjsResponse } from '../kafkajs-internals.js';
import { ByteCursor } from '../../records/cursor.js';

export interface ProduceRequestArgs {
  acks: number;
  timeoutMs: number;
  topics: { topic: string; partitions: { partition: number; batch: Buffer }[] }[];
}

export interface ProducePartitionResponse {
  partition: number;
  errorCode: number;
  baseOffset: number;
}

export interface ProduceResponse {
  topics: { topic: string; partitions: ProducePartitionResponse[] }[];
  throttleTimeMs: number;
}

export function produceRequest(args: ProduceRequestArgs): KjsRequest {
  return {
    apiKey: 0,
    apiVersion: 7,
    apiName: 'Produce',
    encode: async () =>
      new Encoder()
        .writeString(null) // transactional_id
        .writeInt16(args.acks)
        .writeInt32(args.timeoutMs)
        .writeArray(
          args.topics.map(({ topic, partitions }) =>
            new Encoder()
              .writeString(topic)
              .writeArray(partitions.map((p) => new Encoder().writeInt32(p.partition).writeBytes(p.batch))),
          ),
        ),
  };
}

export const produceResponse: KjsResponse<ProduceResponse> = {
  decode: async (payload) => {
    const r = ByteCursor.response(payload);
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
  },
  parse: async (decoded) => decoded,
};
