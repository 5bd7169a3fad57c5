// The in-memory Kafka cluster: brokers, topics with partition logs and leaders, consumer groups,
// producer ids, authorizer answers and faults. Tests seed and steer it through the methods here
// (create topics, append batches, run transactions, delete records, move leaders, pause brokers);
// code under test reaches it only through MemoryTransport (transport.ts), the KafkaTransport seam.
import { configSource, type ConfigEntry } from '../../../src/kafka/transport.js';
import { readBatchHeader } from '../../../src/records/batch.js';
import { buildBatch, type BatchSpec, type SimpleRecord } from '../../records/build.js';
import { unreachable } from './errors.js';
import { Faults } from './faults.js';
import { PartitionLog } from './partition-log.js';
import { type BrokerDefault } from './topic-configs.js';

export interface MemoryPartition {
  log: PartitionLog;
  leader: number;
  replicas: number[];
  isr: number[];
}

export interface MemoryTopic {
  name: string;
  partitions: MemoryPartition[];
  /** Configs set on the topic itself. */
  configs: Map<string, string>;
}

export interface MemoryGroup {
  /** Active members; a group with members refuses admin commits. */
  members: number;
  /** Committed offsets by "topic/partition". */
  offsets: Map<string, { topic: string; partition: number; offset: number; metadata: string | null }>;
}

/** What the authorizer allows, as KIP-430 bit fields; 'denied' hides the resource (no DESCRIBE). */
export interface MemoryAuthorizer {
  cluster?: number;
  topic?(name: string): number | 'denied' | undefined;
  group?(groupId: string): number | 'denied' | undefined;
}

export interface MemoryKafkaOptions {
  /** Broker count (node ids 1..n); default 1, like the shared test broker. */
  brokers?: number;
  clusterId?: string;
  /** The broker's default.replication.factor; default 1. */
  defaultReplicationFactor?: number;
  /** The broker's num.partitions; default 1. */
  defaultPartitions?: number;
  /** Topic config defaults set on the brokers (server.properties), by topic config name. */
  brokerDefaults?: Record<string, BrokerDefault>;
  /** What DescribeConfigs answers for a broker; default a few static and default entries. */
  brokerConfigs?: ConfigEntry[];
  /** API key → [min, max] version the brokers serve; default Kafka 4.x's for the APIs the seam uses. */
  apiVersions?: Record<number, [number, number]>;
}

/** Kafka 4.x ranges of the APIs behind the seam (ApiVersions answer). */
export const kafka4ApiVersions: Record<number, [number, number]> = {
  0: [3, 12], // Produce
  1: [4, 17], // Fetch
  2: [1, 10], // ListOffsets
  3: [0, 13], // Metadata
  8: [2, 9], // OffsetCommit
  9: [1, 9], // OffsetFetch
  10: [0, 6], // FindCoordinator
  15: [0, 6], // DescribeGroups
  16: [0, 5], // ListGroups
  18: [0, 4], // ApiVersions
  19: [2, 7], // CreateTopics
  22: [0, 5], // InitProducerId
  32: [1, 4], // DescribeConfigs
};

const defaultBrokerConfigs: ConfigEntry[] = [
  { name: 'auto.create.topics.enable', value: 'false', source: configSource.staticBroker, readOnly: true, sensitive: false },
  { name: 'default.replication.factor', value: '1', source: configSource.staticBroker, readOnly: true, sensitive: false },
  { name: 'log.retention.hours', value: '168', source: configSource.default, readOnly: true, sensitive: false },
  { name: 'message.max.bytes', value: '1048588', source: configSource.default, readOnly: false, sensitive: false },
  { name: 'num.partitions', value: '1', source: configSource.staticBroker, readOnly: true, sensitive: false },
];

/** A producer writing one transaction at a time, markers included, like a transactional producer. */
export interface MemoryTransaction {
  readonly producerId: number;
  readonly producerEpoch: number;
  /** Appends a transactional batch of these records; returns its base offset. */
  append(topic: string, partition: number, records: SimpleRecord[], spec?: Omit<BatchSpec, 'records'>): number;
  commit(): void;
  abort(): void;
}

let clusters = 0;

export class MemoryKafka {
  readonly clusterId: string;
  readonly nodeIds: number[];
  readonly topics = new Map<string, MemoryTopic>();
  readonly groups = new Map<string, MemoryGroup>();
  readonly faults = new Faults();
  readonly brokerDefaults: Map<string, BrokerDefault>;
  readonly brokerConfigs: ConfigEntry[];
  readonly apiVersions: Record<number, [number, number]>;
  readonly defaultReplicationFactor: number;
  readonly defaultPartitions: number;
  authorizer: MemoryAuthorizer = {};
  private nextProducerId = 1000;
  private readonly paused = new Map<number, { resumed: Promise<void>; resume(): void }>();

  constructor(options: MemoryKafkaOptions = {}) {
    // Distinct per instance, like real clusters: restore states are kept per target cluster id.
    this.clusterId = options.clusterId ?? `memory-kafka-${++clusters}`;
    this.nodeIds = Array.from({ length: options.brokers ?? 1 }, (_, i) => i + 1);
    this.defaultReplicationFactor = options.defaultReplicationFactor ?? 1;
    this.defaultPartitions = options.defaultPartitions ?? 1;
    this.brokerDefaults = new Map(Object.entries(options.brokerDefaults ?? {}));
    this.brokerConfigs = options.brokerConfigs ?? defaultBrokerConfigs;
    this.apiVersions = options.apiVersions ?? kafka4ApiVersions;
  }

  // ---- topics and data ----

  /** Creates a topic (no checks: the CreateTopics path in admin.ts checks). Leaders spread over the brokers. */
  createTopic(name: string, partitions = 1, options: { replicationFactor?: number; configs?: Record<string, string> } = {}): MemoryTopic {
    if (this.topics.has(name)) throw new Error(`topic ${name} exists`);
    const rf = options.replicationFactor ?? this.defaultReplicationFactor;
    const offset = this.topics.size;
    const topic: MemoryTopic = {
      name,
      configs: new Map(Object.entries(options.configs ?? {})),
      partitions: Array.from({ length: partitions }, (_, p) => {
        const replicas = Array.from({ length: rf }, (_, r) => this.nodeIds[(offset + p + r) % this.nodeIds.length]!);
        return { log: new PartitionLog(), leader: replicas[0]!, replicas, isr: [...replicas] };
      }),
    };
    this.topics.set(name, topic);
    return topic;
  }

  partition(topic: string, partition: number): MemoryPartition {
    const p = this.topics.get(topic)?.partitions[partition];
    if (p === undefined) throw new Error(`no partition ${topic}/${partition}`);
    return p;
  }

  log(topic: string, partition: number): PartitionLog {
    return this.partition(topic, partition).log;
  }

  /** Appends a non-transactional batch (built from a spec, or ready bytes) at the log end; returns its base offset. */
  append(topic: string, partition: number, batch: BatchSpec | Buffer): number {
    return this.log(topic, partition).append(Buffer.isBuffer(batch) ? batch : buildBatch(batch));
  }

  /** Appends a batch keeping its offsets: compacted logs, with gaps inside and between batches. */
  appendAsIs(topic: string, partition: number, batch: BatchSpec | Buffer): void {
    this.log(topic, partition).appendAsIs(Buffer.isBuffer(batch) ? batch : buildBatch(batch));
  }

  /** DeleteRecords (kafka-delete-records): the log start moves to `offset`. */
  deleteRecords(topic: string, partition: number, offset: number): void {
    this.log(topic, partition).deleteRecordsBefore(offset);
  }

  /** A transactional producer's transaction; its markers go to every partition it wrote to. */
  beginTransaction(producer?: ProducerHandle): MemoryTransaction {
    const { producerId, producerEpoch } = producer ?? this.initProducerId();
    const touched = new Map<string, { log: PartitionLog; sequence: number }>();
    const end = (type: 'commit' | 'abort') => {
      for (const { log } of touched.values()) log.appendMarker(producerId, producerEpoch, type);
      touched.clear();
    };
    return {
      producerId,
      producerEpoch,
      append: (topic, partition, records, spec = {}) => {
        const log = this.log(topic, partition);
        const key = `${topic}/${partition}`;
        const state = touched.get(key) ?? { log, sequence: producer?.sequences.get(key) ?? 0 };
        touched.set(key, state);
        const bytes = buildBatch({ ...spec, records, transactional: true, producerId, producerEpoch, baseSequence: state.sequence });
        log.noteTransactional(producerId, log.logEndOffset);
        const base = log.append(bytes);
        log.producers.appended(readBatchHeader(bytes, 0), base);
        state.sequence += records.length;
        producer?.sequences.set(key, state.sequence);
        return base;
      },
      commit: () => end('commit'),
      abort: () => end('abort'),
    };
  }

  /** A transactional producer identity kept across transactions (sequences continue). */
  transactionalProducer(): ProducerHandle {
    return { ...this.initProducerId(), sequences: new Map() };
  }

  // ---- cluster ----

  initProducerId(): { producerId: number; producerEpoch: number } {
    return { producerId: this.nextProducerId++, producerEpoch: 0 };
  }

  /**
   * Moves a partition's leadership to `to` (default: the next broker), as a controller does when
   * a broker fails or a reassignment completes; the leader epoch grows. Clients with older metadata
   * get NOT_LEADER_OR_FOLLOWER from the old leader until they refresh.
   */
  moveLeader(topic: string, partition: number, to?: number): number {
    const p = this.partition(topic, partition);
    const next = to ?? this.nodeIds[(this.nodeIds.indexOf(p.leader) + 1) % this.nodeIds.length]!;
    if (!this.nodeIds.includes(next)) throw new Error(`no broker ${next}`);
    if (!p.replicas.includes(next)) {
      p.replicas.push(next);
      p.isr.push(next);
    }
    p.leader = next;
    p.log.leaderEpoch++;
    return next;
  }

  /** A paused broker holds every request sent to it until resumed (or the request times out). */
  pauseBroker(nodeId: number): void {
    if (this.paused.has(nodeId)) return;
    let resume!: () => void;
    const resumed = new Promise<void>((r) => (resume = r));
    this.paused.set(nodeId, { resumed, resume });
  }

  resumeBroker(nodeId: number): void {
    this.paused.get(nodeId)?.resume();
    this.paused.delete(nodeId);
  }

  /** Waits while the broker is paused; KAFKA_UNREACHABLE when `deadline` passes first. */
  async available(nodeId: number, deadline: number, doing: string): Promise<void> {
    const p = this.paused.get(nodeId);
    if (p === undefined) return;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), Math.max(0, deadline - Date.now()))));
    const outcome = await Promise.race([p.resumed, timedOut]);
    clearTimeout(timer);
    if (outcome === 'timeout') throw unreachable(doing, `broker ${nodeId} did not answer in time (request timed out)`);
  }

  // ---- consumer groups ----

  /** The coordinator of a group: the leader of its __consumer_offsets partition, by hash. */
  coordinatorOf(groupId: string): number {
    let h = 0;
    for (const c of groupId) h = (h * 31 + c.charCodeAt(0)) | 0;
    return this.nodeIds[Math.abs(h) % this.nodeIds.length]!;
  }

  group(groupId: string): MemoryGroup {
    let g = this.groups.get(groupId);
    if (g === undefined) {
      g = { members: 0, offsets: new Map() };
      this.groups.set(groupId, g);
    }
    return g;
  }

  /** Seeds a group: members (a consumer joined) and committed offsets. */
  setGroup(groupId: string, opts: { members?: number; offsets?: { topic: string; partition: number; offset: number; metadata?: string | null }[] }): void {
    const g = this.group(groupId);
    if (opts.members !== undefined) g.members = opts.members;
    for (const o of opts.offsets ?? []) g.offsets.set(`${o.topic}/${o.partition}`, { ...o, metadata: o.metadata ?? '' });
  }
}

/** A transactional producer identity with its per-partition sequences. */
export interface ProducerHandle {
  producerId: number;
  producerEpoch: number;
  sequences: Map<string, number>;
}
