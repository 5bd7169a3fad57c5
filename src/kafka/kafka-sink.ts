// KafkaSink over a KafkaTransport's broker channels with raw Produce v7 (transport.ts).
import { KafkaBackupError } from '../errors.js';
import { ClusterClient } from './cluster-client.js';
import { withKafkaRetries } from './retry.js';
import type { KafkaSettings } from './settings.js';
import type { KafkaSink, ProduceOutcome } from './sink.js';
import type { BrokerChannel, NewTopic, ProducerIdentity } from './transport.js';

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
    private readonly broker: BrokerChannel,
    private readonly settings: KafkaSettings,
  ) {}

  enqueue(p: PendingProduce): void {
    this.pending.push(p);
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled || this.pending.length === 0) return;
    if (this.inFlight >= this.settings.maxInFlightPerConnection) return;
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
    this.broker
      .produce(
        {
          acks: ACKS_ALL,
          timeoutMs: PRODUCE_TIMEOUT_MS,
          topics: [...byTopic].map(([topic, ps]) => ({
            topic,
            partitions: ps.map((p) => ({ partition: p.partition, batch: p.batch })),
          })),
        },
        this.settings.requestTimeoutMs + PRODUCE_TIMEOUT_MS,
      )
      .then(
        (res) => {
          for (const p of take) {
            const r = res.topics.find((t) => t.topic === p.topic)?.partitions.find((x) => x.partition === p.partition);
            if (r) p.resolve({ errorCode: r.errorCode, baseOffset: r.baseOffset });
            else p.reject(new KafkaBackupError('KAFKA_PROTOCOL', `produce response lacks ${p.topic}/${p.partition}`, { retryable: true }));
          }
        },
        (err: unknown) => {
          for (const p of take) p.reject(err);
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
  private readonly leaders = new Map<string, BrokerChannel>();
  private readonly chains = new Map<string, Promise<void>>();
  private readonly staleLeaders = new Set<string>();

  async createTopics(topics: NewTopic[]): Promise<void> {
    if (topics.length === 0) return;
    await this.transport.createTopics(topics, { validateOnly: false });
  }

  initProducer(): Promise<ProducerIdentity> {
    // The first InitProducerId of a cluster creates its transaction-state topic: expect a few
    // COORDINATOR_LOAD_IN_PROGRESS answers, retried here.
    const settings = this.transport.settings;
    return withKafkaRetries({ ...settings, retries: Math.max(10, settings.retries) }, this.log, 'InitProducerId', () => this.initProducerOnce());
  }

  private async initProducerOnce(): Promise<ProducerIdentity> {
    const brokers = await this.transport.brokers();
    // Any broker answers a non-transactional InitProducerId.
    const nodeId = brokers[Math.floor(Math.random() * brokers.length)]?.nodeId;
    if (nodeId === undefined) throw new KafkaBackupError('KAFKA_UNREACHABLE', 'the cluster metadata lists no brokers', { retryable: true });
    return (await this.transport.broker(nodeId)).initProducerId();
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

  private async leader(topic: string, partition: number): Promise<BrokerChannel> {
    const tp = `${topic}\u0000${partition}`;
    const cached = this.leaders.get(tp);
    if (cached) return cached;
    const broker = await this.transport.leader(topic, partition, this.staleLeaders.delete(tp));
    this.leaders.set(tp, broker);
    return broker;
  }

  private queue(broker: BrokerChannel): BrokerProduceQueue {
    let q = this.queues.get(broker.nodeId);
    if (!q) {
      q = new BrokerProduceQueue(broker, this.transport.settings);
      this.queues.set(broker.nodeId, q);
    }
    return q;
  }
}
