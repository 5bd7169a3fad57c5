// KafkaSource over a KafkaTransport's broker channels with raw Fetch v11 (transport.ts).
// Fetches for partitions led by the same broker are coalesced: while one Fetch request to a broker
// is in flight, new calls queue, and the next request carries all of them.
import { KafkaBackupError } from '../errors.js';
import { readBatchHeader, walkBatches } from '../records/batch.js';
import { trimBatch } from '../records/trim.js';
import { AbortedTransactionFilter } from '../records/transactions.js';
import { ClusterClient } from './cluster-client.js';
import { brokerError } from './protocol-errors.js';
import { withKafkaRetries } from './retry.js';
import type { KafkaSettings } from './settings.js';
import type { FetchedData, KafkaSource, RawBatch } from './source.js';
import type { BrokerChannel, FetchPartitionResponse } from './transport.js';

const OFFSET_OUT_OF_RANGE = 1;

interface PendingFetch {
  topic: string;
  partition: number;
  offset: number;
  maxWaitMs: number;
  maxBytes: number;
  resolve(r: FetchPartitionResponse): void;
  reject(e: unknown): void;
}

class BrokerFetchQueue {
  private pending: PendingFetch[] = [];
  private inFlight = false;
  constructor(
    private readonly broker: BrokerChannel,
    private readonly settings: KafkaSettings,
  ) {}

  enqueue(p: PendingFetch): void {
    this.pending.push(p);
    if (!this.inFlight) setImmediate(() => void this.run());
  }

  private async run(): Promise<void> {
    if (this.inFlight || this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    this.inFlight = true;
    const s = this.settings;
    const byTopic = new Map<string, PendingFetch[]>();
    for (const p of batch) byTopic.set(p.topic, [...(byTopic.get(p.topic) ?? []), p]);
    const maxWaitMs = Math.min(...batch.map((p) => p.maxWaitMs));
    try {
      const res = await this.broker.fetch(
        {
          maxWaitMs,
          minBytes: s.fetchMinBytes,
          maxBytes: s.fetchMaxBytes,
          topics: [...byTopic].map(([topic, ps]) => ({
            topic,
            partitions: ps.map((p) => ({ partition: p.partition, fetchOffset: p.offset, partitionMaxBytes: p.maxBytes })),
          })),
        },
        s.requestTimeoutMs + maxWaitMs,
      );
      if (res.errorCode !== 0) throw brokerError(res.errorCode, 'fetch');
      for (const p of batch) {
        const part = res.topics.find((t) => t.topic === p.topic)?.partitions.find((x) => x.partition === p.partition);
        if (part) p.resolve(part);
        else p.reject(new KafkaBackupError('KAFKA_PROTOCOL', `fetch response lacks ${p.topic}/${p.partition}`, { retryable: true }));
      }
    } catch (err) {
      for (const p of batch) p.reject(err);
    } finally {
      this.inFlight = false;
      if (this.pending.length > 0) setImmediate(() => void this.run());
    }
  }
}

export class RawKafkaSource extends ClusterClient implements KafkaSource {
  private readonly queues = new Map<number, BrokerFetchQueue>();

  fetch(topic: string, partition: number, offset: number, maxWaitMs: number): Promise<FetchedData> {
    let maxBytes = this.transport.settings.partitionFetchMaxBytes;
    return withKafkaRetries(this.transport.settings, this.log, `fetch ${topic}/${partition}@${offset}`, async (attempt) => {
      const broker = await this.transport.leader(topic, partition, attempt > 0);
      const raw = await this.send(broker, { topic, partition, offset, maxWaitMs, maxBytes });
      if (raw.errorCode === OFFSET_OUT_OF_RANGE) return outOfRange(raw, offset);
      if (raw.errorCode !== 0) throw brokerError(raw.errorCode, `fetching ${topic}/${partition} at offset ${offset}`);
      const data = await decodePartition(raw, offset);
      if (data.batches.length === 0 && raw.records.length >= 12) {
        // Only a partial batch came back: the first batch is larger than the partition limit.
        // Its size is in its header, so ask again with room for exactly that batch.
        const needed = raw.records.readInt32BE(8) + 12;
        if (needed > maxBytes) {
          maxBytes = needed;
          throw new KafkaBackupError('KAFKA_PROTOCOL', `batch of ${needed} bytes exceeds the fetch limit; refetching`, {
            retryable: true,
          });
        }
      }
      return data;
    });
  }

  private send(broker: BrokerChannel, p: Omit<PendingFetch, 'resolve' | 'reject'>): Promise<FetchPartitionResponse> {
    let q = this.queues.get(broker.nodeId);
    if (!q) {
      q = new BrokerFetchQueue(broker, this.transport.settings);
      this.queues.set(broker.nodeId, q);
    }
    const queue = q;
    return new Promise((resolve, reject) => queue.enqueue({ ...p, resolve, reject }));
  }
}

async function decodePartition(raw: FetchPartitionResponse, fetchOffset: number): Promise<FetchedData> {
  const { batches: all } = walkBatches(raw.records);
  const filter = new AbortedTransactionFilter(raw.abortedTransactions);
  const batches: RawBatch[] = [];
  let abortedRecords = 0;
  let nextOffset = fetchOffset;
  for (const b of all) {
    // A fetch that starts inside a batch returns the whole batch: skip what we already have.
    if (b.header.lastOffset < fetchOffset) continue;
    // Read-committed fetches stop at the last stable offset, but a batch may straddle it.
    if (b.header.baseOffset >= raw.lastStableOffset && raw.lastStableOffset >= 0) break;
    nextOffset = b.header.lastOffset + 1;
    if (filter.isAborted(b.header, b.bytes)) {
      abortedRecords += b.header.recordCount;
      continue;
    }
    if (b.header.baseOffset < fetchOffset && !b.header.isControl) {
      // The log start lies inside this batch (kafka-delete-records): drop the deleted records.
      const trimmed = await trimBatch(b.header, b.bytes, fetchOffset);
      if (trimmed) batches.push({ header: readBatchHeader(trimmed, 0), bytes: trimmed });
      continue;
    }
    batches.push(b);
  }
  return {
    batches,
    nextOffset,
    highWatermark: raw.highWatermark,
    lastStableOffset: raw.lastStableOffset,
    logStartOffset: raw.logStartOffset,
    abortedRecords,
    outOfRange: false,
  };
}

function outOfRange(raw: FetchPartitionResponse, offset: number): FetchedData {
  return {
    batches: [],
    nextOffset: offset,
    highWatermark: raw.highWatermark,
    lastStableOffset: raw.lastStableOffset,
    logStartOffset: raw.logStartOffset,
    abortedRecords: 0,
    outOfRange: true,
  };
}
