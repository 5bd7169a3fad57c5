// KafkaTransport over the in-memory Kafka. Like a real client it caches metadata: `leader()`
// answers from the cache until asked to refresh or until metadata.max.age.ms passed, so after a
// leader move the old leader answers NOT_LEADER_OR_FOLLOWER until the caller refreshes.
// Cluster-wide requests go to the lowest-numbered broker, through the same gate as any request.
import type { CommittedOffset } from '../../../src/format/group-offsets.js';
import { KafkaBackupError } from '../../../src/errors.js';
import type { KafkaSettings } from '../../../src/kafka/settings.js';
import type {
  BrokerAddress,
  BrokerChannel,
  ConfigEntry,
  GroupDescription,
  KafkaTransport,
  NewTopic,
  TopicLayout,
} from '../../../src/kafka/transport.js';
import { MemoryBrokerChannel } from './channel.js';
import type { MemoryKafka, MemoryTopic } from './cluster.js';
import { createTopics } from './create-topics.js';
import { errorCode, protocolFailure, unreachable } from './errors.js';
import type { ApiName } from './faults.js';
import { describeTopicConfigs } from './topic-configs.js';

/** Settings for a transport in unit tests: short timeouts and backoffs, Kafka's defaults otherwise. */
export function memorySettings(overrides: Partial<KafkaSettings> = {}): KafkaSettings {
  return {
    bootstrapServers: ['memory-kafka:9092'],
    clientId: 'kafka-backup-test',
    connectionTimeoutMs: 1000,
    requestTimeoutMs: 2000,
    retries: 5,
    retryBackoffMs: 1,
    metadataMaxAgeMs: 300_000,
    fetchMaxBytes: 52_428_800,
    partitionFetchMaxBytes: 1_048_576,
    fetchMinBytes: 1,
    maxInFlightPerConnection: 5,
    ...overrides,
  };
}

function layout(t: MemoryTopic): TopicLayout {
  return {
    name: t.name,
    partitions: t.partitions.map((p, partition) => ({ partition, leader: p.leader, replicas: [...p.replicas], isr: [...p.isr] })),
  };
}

export class MemoryTransport implements KafkaTransport {
  private cache: { at: number; topics: Map<string, TopicLayout> } | undefined;
  private readonly channels = new Map<number, MemoryBrokerChannel>();
  private closed = false;

  constructor(
    readonly kafka: MemoryKafka,
    readonly settings: KafkaSettings = memorySettings(),
  ) {}

  private channel(nodeId: number): MemoryBrokerChannel {
    let c = this.channels.get(nodeId);
    if (c === undefined) {
      c = new MemoryBrokerChannel(nodeId, this.kafka, this.settings, () => this.closed);
      this.channels.set(nodeId, c);
    }
    return c;
  }

  /** A cluster-wide request, answered by the lowest-numbered broker. */
  private ask<T>(api: ApiName, doing: string, handle: () => T | Promise<T>): Promise<T> {
    return this.channel(this.kafka.nodeIds[0]!).call(api, doing, handle);
  }

  private async metadata(): Promise<Map<string, TopicLayout>> {
    const topics = await this.ask('metadata', 'reading cluster metadata', () => new Map([...this.kafka.topics.values()].map((t) => [t.name, layout(t)])));
    this.cache = { at: Date.now(), topics };
    return topics;
  }

  clusterId(): Promise<string> {
    return this.ask('metadata', 'describing the cluster', () => this.kafka.clusterId);
  }

  brokers(): Promise<BrokerAddress[]> {
    return this.ask('metadata', 'describing the cluster', () => this.kafka.nodeIds.map((nodeId) => ({ nodeId, host: 'memory-kafka', port: 9091 + nodeId })));
  }

  async topics(names?: string[]): Promise<TopicLayout[]> {
    const all = await this.metadata();
    const wanted = names ?? [...all.keys()].sort();
    return wanted.map((n) => all.get(n)).filter((t) => t !== undefined);
  }

  async leader(topic: string, partition: number, refresh = false): Promise<BrokerChannel> {
    const stale = this.cache === undefined || Date.now() - this.cache.at >= this.settings.metadataMaxAgeMs || !this.cache.topics.has(topic);
    const topics = refresh || stale ? await this.metadata() : this.cache!.topics;
    const layout = topics.get(topic)?.partitions[partition];
    // An unknown partition is the broker's UNKNOWN_TOPIC_OR_PARTITION, as the kafkajs transport reports it.
    if (layout === undefined) throw protocolFailure(errorCode('UNKNOWN_TOPIC_OR_PARTITION'), `finding the leader of ${topic}/${partition}`);
    const leader = layout.leader;
    if (leader < 0) {
      throw new KafkaBackupError('KAFKA_TOPIC_MISSING', `partition ${topic}/${partition} has no leader at ${this.settings.bootstrapServers.join(',')}`, {
        retryable: true,
        topic,
        partition,
      });
    }
    return this.channel(leader);
  }

  async anyBroker(): Promise<BrokerChannel> {
    if (this.closed) throw unreachable('connecting to a broker', 'the transport is closed');
    return this.channel(this.kafka.nodeIds[0]!);
  }

  async broker(nodeId: number): Promise<BrokerChannel> {
    if (!this.kafka.nodeIds.includes(nodeId)) throw unreachable(`connecting to broker ${nodeId}`, 'no such broker in the cluster metadata');
    return this.channel(nodeId);
  }

  async groupCoordinator(groupId: string): Promise<BrokerChannel> {
    const nodeId = await (await this.anyBroker()).findCoordinator(groupId);
    return this.broker(nodeId);
  }

  async createTopics(topics: NewTopic[], options: { validateOnly: boolean }): Promise<Map<string, string>> {
    const doing = `creating topics ${topics.map((t) => t.name).join(', ')}`;
    const refused = await this.ask('createTopics', doing, () => createTopics(this.kafka, topics, options.validateOnly));
    const reasons = new Map([...refused].map(([name, r]) => [name, `${r.error}: ${r.message}`]));
    if (options.validateOnly || refused.size === 0) return reasons;
    const [name, first] = [...refused][0]!;
    throw protocolFailure(errorCode(first.error), `${doing}: topic ${name}`, first.message);
  }

  describeConfigs(type: 'topic' | 'broker', names: string[]): Promise<Map<string, ConfigEntry[]>> {
    const doing = `describing the configs of ${type}s ${names.join(', ')}`;
    return this.ask('describeConfigs', doing, () => {
      const out = new Map<string, ConfigEntry[]>();
      for (const name of names) {
        if (type === 'broker') {
          if (!this.kafka.nodeIds.includes(Number(name))) throw protocolFailure(errorCode('INVALID_REQUEST'), doing, `no broker ${name}`);
          out.set(name, this.kafka.brokerConfigs.map((e) => ({ ...e })));
          continue;
        }
        const topic = this.kafka.topics.get(name);
        if (topic === undefined) throw protocolFailure(errorCode('UNKNOWN_TOPIC_OR_PARTITION'), doing, `topic ${name}`);
        out.set(name, describeTopicConfigs(topic.configs, this.kafka.brokerDefaults));
      }
      return out;
    });
  }

  listGroups(): Promise<string[]> {
    return this.ask('listGroups', 'listing consumer groups', () => [...this.kafka.groups.keys()].sort());
  }

  describeGroups(groupIds: string[]): Promise<GroupDescription[]> {
    return this.ask('describeGroups', `describing consumer groups ${groupIds.join(', ')}`, () =>
      groupIds.map((groupId) => {
        const g = this.kafka.groups.get(groupId);
        if (g === undefined) return { groupId, state: 'Dead', members: 0 };
        return { groupId, state: g.members > 0 ? 'Stable' : 'Empty', members: g.members };
      }),
    );
  }

  async committedOffsets(groupId: string, topics: string[]): Promise<CommittedOffset[]> {
    const coordinator = (await this.groupCoordinator(groupId)) as MemoryBrokerChannel;
    return coordinator.call('offsetFetch', `reading the committed offsets of consumer group ${groupId}`, () => {
      const g = this.kafka.groups.get(groupId);
      const out: CommittedOffset[] = [];
      for (const topic of [...topics].sort()) {
        const count = this.kafka.topics.get(topic)?.partitions.length ?? 0;
        for (let partition = 0; partition < count; partition++) {
          const o = g?.offsets.get(`${topic}/${partition}`);
          out.push(o ? { ...o } : { topic, partition, offset: -1, metadata: null });
        }
      }
      return out;
    });
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
