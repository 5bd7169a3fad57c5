// Fetch v11, read-committed, as a Kafka leader answers it (ReplicaManager.readFromLocalLog):
// - per partition: UNKNOWN_TOPIC_OR_PARTITION, NOT_LEADER_OR_FOLLOWER from a non-leader, and
//   OFFSET_OUT_OF_RANGE below the log start or past the log end; an error partition carries -1
//   for its high watermark, last stable offset and log start;
// - data up to the last stable offset, from the batch holding the fetch offset, cut at
//   min(partitionMaxBytes, what is left of maxBytes); the first partition with data gets at least
//   one whole batch (KIP-74); the cut may leave a partial batch at the end;
// - with less than minBytes, the broker waits for appends up to maxWaitMs.
import { setTimeout as sleep } from 'node:timers/promises';
import type { FetchPartitionResponse, FetchRequest, FetchResponse } from '../../../src/kafka/transport.js';
import type { MemoryKafka } from './cluster.js';
import { errorCode } from './errors.js';
import { type RequestFaults, tpKey } from './faults.js';

function failed(partition: number, code: number): FetchPartitionResponse {
  return { partition, errorCode: code, highWatermark: -1, lastStableOffset: -1, logStartOffset: -1, abortedTransactions: [], records: Buffer.alloc(0) };
}

function readOnce(kafka: MemoryKafka, nodeId: number, req: FetchRequest, faults: RequestFaults): { res: FetchResponse; bytes: number; errors: number } {
  let limit = req.maxBytes;
  let minOneBatch = true;
  let bytes = 0;
  let errors = 0;
  const topics = req.topics.map(({ topic, partitions }) => ({
    topic,
    partitions: partitions.map((p): FetchPartitionResponse => {
      const injected = faults.partitionErrors.get(tpKey(topic, p.partition));
      const part = kafka.topics.get(topic)?.partitions[p.partition];
      const code =
        injected ??
        (part === undefined
          ? errorCode('UNKNOWN_TOPIC_OR_PARTITION')
          : part.leader !== nodeId
            ? errorCode('NOT_LEADER_OR_FOLLOWER')
            : p.fetchOffset < part.log.logStartOffset || p.fetchOffset > part.log.logEndOffset
              ? errorCode('OFFSET_OUT_OF_RANGE')
              : 0);
      if (code !== 0 || part === undefined) {
        errors++;
        return failed(p.partition, code);
      }
      const log = part.log;
      const read = log.read(p.fetchOffset, log.lastStableOffset, Math.min(p.partitionMaxBytes, limit), minOneBatch, true);
      if (read.records.length > 0) minOneBatch = false;
      limit = Math.max(0, limit - read.records.length);
      bytes += read.records.length;
      return {
        partition: p.partition,
        errorCode: 0,
        highWatermark: log.highWatermark,
        lastStableOffset: log.lastStableOffset,
        logStartOffset: log.logStartOffset,
        abortedTransactions: read.abortedTransactions,
        records: read.records,
      };
    }),
  }));
  return { res: { errorCode: 0, topics }, bytes, errors };
}

export async function handleFetch(kafka: MemoryKafka, nodeId: number, req: FetchRequest, faults: RequestFaults): Promise<FetchResponse> {
  const deadline = Date.now() + req.maxWaitMs;
  for (;;) {
    const { res, bytes, errors } = readOnce(kafka, nodeId, req, faults);
    const left = deadline - Date.now();
    if (bytes >= req.minBytes || errors > 0 || left <= 0) return res;
    const logs = req.topics.flatMap(({ topic, partitions }) =>
      partitions.map((p) => kafka.topics.get(topic)?.partitions[p.partition]?.log).filter((l) => l !== undefined),
    );
    const ac = new AbortController();
    await Promise.race([...logs.map((l) => l.nextAppend()), sleep(left, undefined, { signal: ac.signal }).catch(() => undefined)]);
    ac.abort();
  }
}
