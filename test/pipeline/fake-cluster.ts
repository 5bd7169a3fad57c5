// Test helper: an in-memory Kafka cluster behind the KafkaSource (backup) and KafkaSink (restore)
// seams, for unit tests of the pipelines' settings. Each partition is a log of record batches built
// with test/records/build.ts; a fetch returns up to `batchesPerFetch` whole batches, a produce
// appends the batch at the log end. It records what the pipelines ask of it (fetch calls and how
// many were in flight at once, produces per partition) so a test can see a setting's effect.

import { setTimeout as sleep } from 'node:timers/promises';
import { readBatchHeader } from '../../src/records/batch.js';
import type { FetchedData, KafkaSource, PartitionOffsets, RawBatch, TopicInfo } from '../../src/kafka/source.js';
import type { KafkaSink, ProduceOutcome } from '../../src/kafka/sink.js';
import type { NewTopic, ProducerIdentity } from '../../src/kafka/transport.js';
import type { GroupAdmin } from '../../src/kafka/group-admin.js';
import { buildBatch, sequentialRecords } from '../records/build.js';

const NOT_LEADER_OR_FOLLOWER = 6;

interface Log {
  batches: Buffer[];
  /** Offset of the next appended record. */
  end: number;
}

export interface FetchCall {
  topic: string;
  partition: number;
  offset: number;
  maxWaitMs: number;
  at: number;
}

let clusters = 0;

export class FakeCluster implements KafkaSource, KafkaSink {
  /** Distinct per instance, so restores into two fake clusters keep separate restore states. */
  readonly id = `fake-cluster-${++clusters}`;
  readonly logs = new Map<string, Log[]>();
  readonly fetches: FetchCall[] = [];
  readonly produced: { topic: string; partition: number; records: number; bytes: number; at: number }[] = [];
  /** When each produce was asked for, failed ones included. */
  readonly produceAttempts: number[] = [];
  /** The next this-many produces fail with NOT_LEADER_OR_FOLLOWER (retriable), writing nothing. */
  failProduces = 0;
  /** The most produces in flight for one partition, and the most partitions producing, at once. */
  maxPartitionInFlight = 0;
  maxPartitionsProducing = 0;
  private readonly producing = new Map<string, number>();
  readonly created: NewTopic[] = [];
  /** Fetches and produces in flight now, and the most seen at once. */
  inFlight = 0;
  maxInFlight = 0;
  groupAdmin?: GroupAdmin;

  constructor(
    private readonly opts: { batchesPerFetch?: number; fetchDelayMs?: number; produceDelayMs?: number; idleFetchMs?: number } = {},
  ) {}

  /** A topic of `partitions` partitions, each holding `batches` batches of `perBatch` records. */
  addTopic(name: string, partitions: number, batches = 0, perBatch = 10, valueBytes = 100): this {
    const logs: Log[] = [];
    for (let p = 0; p < partitions; p++) {
      const log: Log = { batches: [], end: 0 };
      logs.push(log);
      for (let b = 0; b < batches; b++) this.append(name, p, perBatch, valueBytes, log);
    }
    this.logs.set(name, logs);
    return this;
  }

  /** Appends one batch of `records` records to a partition (a producer writing to the source). */
  append(topic: string, partition: number, records: number, valueBytes = 100, log = this.log(topic, partition)): void {
    const recs = sequentialRecords(records, 1_700_000_000_000 + log.end).map((r, i) => ({
      ...r,
      key: `k-${partition}-${log.end + i}`,
      value: Buffer.alloc(valueBytes, (log.end + i) % 251),
    }));
    log.batches.push(buildBatch({ baseOffset: log.end, records: recs }));
    log.end += records;
  }

  private log(topic: string, partition: number): Log {
    const log = this.logs.get(topic)?.[partition];
    if (!log) throw new Error(`fake cluster: no partition ${topic}/${partition}`);
    return log;
  }

  private async busy<T>(delayMs: number | undefined, body: () => T): Promise<T> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      if (delayMs) await sleep(delayMs);
      return body();
    } finally {
      this.inFlight--;
    }
  }

  async clusterId(): Promise<string> {
    return this.id;
  }

  async topics(): Promise<TopicInfo[]> {
    return [...this.logs].map(([name, logs]) => ({ name, partitions: logs.length, internal: name.startsWith('__') }));
  }

  async offsets(topic: string, partitions: number[]): Promise<Map<number, PartitionOffsets>> {
    return new Map(partitions.map((p) => [p, { earliest: 0, latest: this.log(topic, p).end }]));
  }

  async fetch(topic: string, partition: number, offset: number, maxWaitMs: number): Promise<FetchedData> {
    this.fetches.push({ topic, partition, offset, maxWaitMs, at: Date.now() });
    const log = this.log(topic, partition);
    // A caught-up fetch is held by the broker for a while (bounded by maxWaitMs), as Kafka does.
    const idle = offset >= log.end;
    const delay = idle ? Math.min(maxWaitMs, this.opts.idleFetchMs ?? 0) : this.opts.fetchDelayMs;
    return this.busy(delay, () => {
      const batches: RawBatch[] = log.batches
        .map((bytes) => ({ header: readBatchHeader(bytes, 0), bytes }))
        .filter((b) => b.header.lastOffset >= offset)
        .slice(0, this.opts.batchesPerFetch ?? 10);
      return {
        batches,
        nextOffset: batches.length > 0 ? batches.at(-1)!.header.lastOffset + 1 : offset,
        highWatermark: log.end,
        lastStableOffset: log.end,
        logStartOffset: 0,
        abortedRecords: 0,
        outOfRange: false,
      };
    });
  }

  async createTopics(topics: NewTopic[]): Promise<void> {
    for (const t of topics) {
      this.created.push(t);
      this.addTopic(t.name, t.partitions);
    }
  }

  async initProducer(): Promise<ProducerIdentity> {
    return { producerId: 1000, producerEpoch: 0 };
  }

  async produce(topic: string, partition: number, batch: Buffer): Promise<ProduceOutcome> {
    this.produceAttempts.push(Date.now());
    const tp = `${topic}/${partition}`;
    this.producing.set(tp, (this.producing.get(tp) ?? 0) + 1);
    this.maxPartitionInFlight = Math.max(this.maxPartitionInFlight, this.producing.get(tp)!);
    this.maxPartitionsProducing = Math.max(this.maxPartitionsProducing, this.producing.size);
    try {
      return await this.busy(this.opts.produceDelayMs, () => {
        if (this.failProduces > 0) {
          this.failProduces--;
          return { errorCode: NOT_LEADER_OR_FOLLOWER, baseOffset: -1 };
        }
        const log = this.log(topic, partition);
        const records = readBatchHeader(batch, 0).recordCount;
        const baseOffset = log.end;
        const stored = Buffer.from(batch);
        stored.writeBigInt64BE(BigInt(baseOffset), 0);
        log.batches.push(stored);
        log.end += records;
        this.produced.push({ topic, partition, records, bytes: batch.length, at: Date.now() });
        return { errorCode: 0, baseOffset };
      });
    } finally {
      const left = this.producing.get(tp)! - 1;
      if (left === 0) this.producing.delete(tp);
      else this.producing.set(tp, left);
    }
  }

  async close(): Promise<void> {}
}
