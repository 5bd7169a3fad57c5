// KafkaSink over kafkajs's broker connections with raw Produce v7 (see wire/produce.ts).
import { KafkaBackupError } from '../errors.js';
import type { KafkaConnection } from './connection.js';
import { translateKafkaError } from './errors.js';
import { safeInt64 } from '../records/int64.js';
import type { KjsBroker } from './kafkajs-internals.js';
import type { KafkaSink, NewTopic, ProduceOutcome, ProducerIdentity } from './sink.js';
import { produceRequest, produceResponse } from './wire/produce.js';
import { withKafkaRetries } from './retry.js';
import { ClusterClient } from './cluster-client.js';

interface PendingProduce {
  topic: string;
  partition: number;
  batch: Buffer;
  resolve(o: ProduceOutcome): void;
  reject(e: unknown): void;
}

const PRODUCE_TIMEOUT_MS = 30_000;
/**
 * Every Produce waits for all in-sync replicas: the producer is idempotent, which needs it, and a
 * batch the leader alone acknowledged could be lost in a leader change after the restore counted it
 * as written. Not configurable (config/kafka-properties.ts refuses `acks`).
 */
const ACKS_ALL = -1;
/** Cap on one coalesced request, so one request never holds the whole pipeline's data. */
const MAX_REQUEST_BYTES = 16 * 1024 * 1024;

class BrokerProduceQueue {
  private pending: PendingProduce[] = [];
  private inFlight = 0;
  private scheduled = false;

  constructor(
    private readonly broker: KjsBroker,
    private readonly conn: KafkaConnection,
  ) {}

  enqueue(p: PendingProduce): void {
    this.pending.push(p);
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled || this.pending.length === 0) return;
    if (this.inFlight >= this.conn.settings.maxInFlightPerConnection) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.sendOne();
      this.schedule();
    });
  }

  /** One request: at most one batch per partition (the broker's rule), in enqueue order. */
  private sendOne(): void {
    const take: PendingProduce[] = [];
    const rest: PendingProduce[] = [];
    const seen = new Set<string>();
    let bytes = 0;
    for (const p of this.pending) {
      const tp = `${p.topic}\u0000${p.partition}`;
      // Once a partition is skipped, its later batches must wait too, or they would overtake it.
      if (seen.has(tp) || (take.length > 0 && bytes + p.batch.length > MAX_REQUEST_BYTES)) {
        seen.add(tp);
        rest.push(p);
        continue;
      }
      seen.add(tp);
      take.push(p);
      bytes += p.batch.length;
    }
    this.pending = rest;
    if (take.length === 0) return;
    this.inFlight++;
    const byTopic = new Map<string, PendingProduce[]>();
    for (const p of take) byTopic.set(p.topic, [...(byTopic.get(p.topic) ?? []), p]);
    this.broker.connectionPool
      .send({
        request: produceRequest({
          acks: ACKS_ALL,
          timeoutMs: PRODUCE_TIMEOUT_MS,
          topics: [...byTopic].map(([topic, ps]) => ({
            topic,
            partitions: ps.map((p) => ({ partition: p.partition, batch: p.batch })),
          })),
        }),
        response: produceResponse,
        requestTimeout: this.conn.settings.requestTimeoutMs + PRODUCE_TIMEOUT_MS,
      })
      .then(
        (res) => {
          for (const p of take) {
            const r = res.topics.find((t) => t.topic === p.topic)?.partitions.find((x) => x.partition === p.partition);
            if (r) p.resolve({ errorCode: r.errorCode, baseOffset: r.baseOffset });
            else p.reject(new KafkaBackupError('KAFKA_PROTOCOL', `produce response lacks ${p.topic}/${p.partition}`, { retryable: true }));
          }
        },
        (err) => {
          const e = translateKafkaError(err, `producing to broker ${this.broker.nodeId}`);
          for (const p of take) p.reject(e);
        },
      )
      .finally(() => {
        this.inFlight--;
        this.schedule();
      });
  }
}

export class RawKafkaSink extends ClusterClient implements KafkaSink {
  private readonly queues = new Map<number, BrokerProduceQueue>();
  private readonly leaders = new Map<string, KjsBroker>();
  private readonly chains = new Map<string, Promise<void>>();
  private readonly staleLeaders = new Set<string>();




  async createTopics(topics: NewTopic[]): Promise<void> {
    if (topics.length === 0) return;
    try {
      await this.conn.admin.createTopics({
        waitForLeaders: true,
        topics: topics.map((t) => ({
          topic: t.name,
          numPartitions: t.partitions,
          replicationFactor: t.replicationFactor ?? -1,
          configEntries: Object.entries(t.configs ?? {}).map(([name, value]) => ({ name, value })),
        })),
      });
    } catch (err) {
      throw translateKafkaError(err, `creating topics ${topics.map((t) => t.name).join(', ')}`);
    }
  }



  initProducer(): Promise<ProducerIdentity> {
    // The first InitProducerId of a cluster creates its transaction-state topic: expect a few
    // COORDINATOR_LOAD_IN_PROGRESS answers, retried here.
    return withKafkaRetries({ ...this.conn.settings, retries: Math.max(10, this.conn.settings.retries) }, this.log, 'InitProducerId', () =>
      this.initProducerOnce(),
    );
  }

  private async initProducerOnce(): Promise<ProducerIdentity> {
    try {
      if (!this.conn.cluster.brokerPool.metadata) await this.conn.cluster.refreshMetadata();
      const brokers = this.conn.cluster.brokerPool.metadata?.brokers ?? [];
      // Any broker answers a non-transactional InitProducerId.
      const nodeId = brokers[Math.floor(Math.random() * brokers.length)]?.nodeId;
      if (nodeId === undefined) throw new KafkaBackupError('KAFKA_UNREACHABLE', 'the cluster metadata lists no brokers', { retryable: true });
      const broker = await this.conn.cluster.findBroker({ nodeId });
      const res = await broker.initProducerId({ transactionTimeout: 60_000 });
      return { producerId: safeInt64(res.producerId, 'InitProducerId response producer_id'), producerEpoch: res.producerEpoch };
    } catch (err) {
      throw translateKafkaError(err, 'initializing an idempotent producer (InitProducerId)');
    }
  }

  produce(topic: string, partition: number, batch: Buffer): Promise<ProduceOutcome> {
    // Enqueueing goes through a per-partition chain: a leader lookup is async, and without the
    // chain a later batch could be enqueued before an earlier one of the same partition.
    const tp = `${topic}\u0000${partition}`;
    const prev = this.chains.get(tp) ?? Promise.resolve();
    let outcome: Promise<ProduceOutcome> | undefined;
    const enqueued = prev.then(async () => {
      const broker = await this.leader(topic, partition);
      outcome = new Promise((resolve, reject) => this.queue(broker).enqueue({ topic, partition, batch, resolve, reject }));
    });
    this.chains.set(tp, enqueued.catch(() => undefined));
    return enqueued.then(() => outcome!);
  }

  /** Forget a partition's cached leader after a NOT_LEADER error; the next produce asks again. */
  forgetLeader(topic: string, partition: number): void {
    const tp = `${topic}\u0000${partition}`;
    this.leaders.delete(tp);
    this.staleLeaders.add(tp);
  }

  private async leader(topic: string, partition: number): Promise<KjsBroker> {
    const tp = `${topic}\u0000${partition}`;
    const cached = this.leaders.get(tp);
    if (cached) return cached;
    const broker = await this.conn.leaderFor(topic, partition, this.staleLeaders.delete(tp));
    this.leaders.set(tp, broker);
    return broker;
  }

  private queue(broker: KjsBroker): BrokerProduceQueue {
    let q = this.queues.get(broker.nodeId);
    if (!q) {
      q = new BrokerProduceQueue(broker, this.conn);
      this.queues.set(broker.nodeId, q);
    }
    return q;
  }

}
