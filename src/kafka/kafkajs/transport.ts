// KafkaTransport (src/kafka/transport.ts) over kafkajs: its Admin for the cluster-wide calls, and
// the broker connections of a kafkajs Cluster for the per-broker ones. Fetch, Produce, Metadata v8
// and DescribeGroups v3 go as our own request bytes (src/kafka/wire/) through those connections;
// ListOffsets, InitProducerId, FindCoordinator and OffsetCommit use kafkajs's broker calls.
// Every failure leaves as a KafkaBackupError (translateKafkaError), naming what was being done.
import type { Admin } from 'kafkajs';
import { KafkaBackupError } from '../../errors.js';
import type { CommittedOffset } from '../../format/group-offsets.js';
import { safeInt64 } from '../../records/int64.js';
import type { KafkaSettings } from '../settings.js';
import {
  configSource,
  READ_COMMITTED,
  type BrokerAddress,
  type BrokerChannel,
  type ClusterOperations,
  type ConfigEntry,
  type FetchRequest,
  type FetchResponse,
  type GroupDescription,
  type GroupOperations,
  type KafkaTransport,
  type NewTopic,
  type ProduceRequest,
  type ProduceResponse,
  type ProducerIdentity,
  type TopicLayout,
} from '../transport.js';
import { describeGroupsOperationsRequest, readDescribeGroupsOperationsResponse } from '../wire/describe-groups.js';
import { fetchRequest, readFetchResponse } from '../wire/fetch.js';
import { metadataOperationsRequest, readMetadataOperationsResponse } from '../wire/metadata.js';
import { produceRequest, readProduceResponse } from '../wire/produce.js';
import type { WireRequest } from '../wire/writer.js';
import { kafkaErrorName, translateKafkaError } from './errors.js';
import { kjsRequest, kjsResponse, type KjsBroker, type KjsCluster } from './internals.js';

const TOPIC_RESOURCE = 2; // ConfigResource.Type.TOPIC
const BROKER_RESOURCE = 4; // ConfigResource.Type.BROKER

export class KafkajsTransport implements KafkaTransport {
  /** The bootstrap servers, for messages. */
  readonly where: string;
  private readonly knownTopics = new Map<string, Promise<void>>();
  private readonly channels = new WeakMap<KjsBroker, KafkajsChannel>();

  /** `admin` and `cluster` are connected, and both built with every setting (kafkajs/connection.ts). */
  constructor(
    readonly settings: KafkaSettings,
    readonly admin: Admin,
    readonly cluster: KjsCluster,
  ) {
    this.where = settings.bootstrapServers.join(',');
  }

  /** One channel per kafkajs broker object, so callers may key their queues by channel. */
  channel(broker: KjsBroker): KafkajsChannel {
    let c = this.channels.get(broker);
    if (!c) {
      c = new KafkajsChannel(broker, this.where);
      this.channels.set(broker, c);
    }
    return c;
  }

  async clusterId(): Promise<string> {
    try {
      return (await this.admin.describeCluster()).clusterId;
    } catch (err) {
      throw translateKafkaError(err, `describing cluster ${this.where}`);
    }
  }

  async brokers(): Promise<BrokerAddress[]> {
    try {
      return (await this.admin.describeCluster()).brokers.map((b) => ({ nodeId: b.nodeId, host: b.host, port: b.port }));
    } catch (err) {
      throw translateKafkaError(err, `describing cluster ${this.where}`);
    }
  }

  async topics(names?: string[]): Promise<TopicLayout[]> {
    if (names?.length === 0) return [];
    try {
      const { topics } = await this.admin.fetchTopicMetadata(names ? { topics: names } : undefined);
      return topics.map(layout);
    } catch (err) {
      // kafkajs fails the whole request for one unknown name; the contract leaves missing names out.
      if (names && kafkaErrorName(err) === 'UNKNOWN_TOPIC_OR_PARTITION') {
        const wanted = new Set(names);
        return (await this.topics()).filter((t) => wanted.has(t.name));
      }
      throw translateKafkaError(err, names ? `describing topics ${names.join(', ')} at ${this.where}` : `listing topics at ${this.where}`);
    }
  }

  async leader(topic: string, partition: number, refresh = false): Promise<KafkajsChannel> {
    const { cluster } = this;
    try {
      let known = this.knownTopics.get(topic);
      if (!known) {
        // Concurrent first lookups of a topic share one metadata load.
        known = cluster.addMultipleTargetTopics([...this.knownTopics.keys(), topic]);
        this.knownTopics.set(topic, known);
        known.catch(() => this.knownTopics.delete(topic));
        await known;
      } else {
        await known;
        // Metadata older than metadata.max.age.ms is refreshed even without an error.
        await (refresh ? cluster.refreshMetadata() : cluster.refreshMetadataIfNecessary());
      }
      const meta = cluster.findTopicPartitionMetadata(topic).find((p) => p.partitionId === partition);
      if (!meta || meta.leader === undefined || meta.leader < 0) {
        throw new KafkaBackupError('KAFKA_TOPIC_MISSING', `partition ${topic}/${partition} has no leader at ${this.where}`, {
          retryable: true,
          topic,
          partition,
        });
      }
      return this.channel(await cluster.findBroker({ nodeId: meta.leader }));
    } catch (err) {
      throw translateKafkaError(err, `finding the leader of ${topic}/${partition}`);
    }
  }

  async anyBroker(): Promise<KafkajsChannel> {
    try {
      if (!this.cluster.brokerPool.metadata) await this.cluster.refreshMetadata();
      const nodeId = this.cluster.brokerPool.metadata?.brokers[0]?.nodeId;
      if (nodeId === undefined) throw new KafkaBackupError('KAFKA_UNREACHABLE', 'the cluster metadata lists no brokers', { retryable: true });
      return this.channel(await this.cluster.findBroker({ nodeId }));
    } catch (err) {
      throw translateKafkaError(err, `connecting to a broker of ${this.where}`);
    }
  }

  async broker(nodeId: number): Promise<KafkajsChannel> {
    try {
      return this.channel(await this.cluster.findBroker({ nodeId }));
    } catch (err) {
      throw translateKafkaError(err, `connecting to broker ${nodeId} of ${this.where}`);
    }
  }

  async groupCoordinator(groupId: string): Promise<KafkajsChannel> {
    try {
      return this.channel(await this.cluster.findGroupCoordinator({ groupId }));
    } catch (err) {
      throw translateKafkaError(err, `finding the coordinator of consumer group ${groupId} on ${this.where}`);
    }
  }

  async createTopics(topics: NewTopic[], options: { validateOnly: boolean }): Promise<Map<string, string>> {
    const request = {
      // With validate_only nothing is created, so there are no leaders to wait for.
      waitForLeaders: !options.validateOnly,
      ...(options.validateOnly ? { validateOnly: true } : {}),
      topics: topics.map((t) => ({
        topic: t.name,
        numPartitions: t.partitions,
        replicationFactor: t.replicationFactor ?? -1,
        configEntries: Object.entries(t.configs ?? {}).map(([name, value]) => ({ name, value })),
      })),
    };
    try {
      await this.admin.createTopics(request);
      return new Map();
    } catch (err) {
      // kafkajs reports per-topic refusals as one aggregate of KafkaJSCreateTopicError.
      const e = err as { name?: string; errors?: { topic?: string; type?: string; message?: string }[] };
      // A refusal throws with the first refused topic's Kafka error (the aggregate carries none).
      if (!options.validateOnly) throw translateKafkaError(e.errors?.[0] ?? err, `creating topics ${topics.map((t) => t.name).join(', ')}`);
      if (e.name !== 'KafkaJSAggregateError' || !e.errors) throw translateKafkaError(err, `validating the creation of topics at ${this.where}`);
      return new Map(e.errors.map((x) => [x.topic ?? '', `${x.type ?? 'error'}: ${x.message ?? ''}`]));
    }
  }

  async describeConfigs(type: 'topic' | 'broker', names: string[]): Promise<Map<string, ConfigEntry[]>> {
    const out = new Map<string, ConfigEntry[]>();
    if (names.length === 0) return out;
    const fallback = type === 'topic' ? configSource.topic : configSource.staticBroker;
    try {
      const res = await this.admin.describeConfigs({
        includeSynonyms: false,
        resources: names.map((name) => ({ type: type === 'topic' ? TOPIC_RESOURCE : BROKER_RESOURCE, name })),
      });
      for (const r of res.resources) out.set(r.resourceName, r.configEntries.map((e) => configEntryOf(e, fallback)));
      return out;
    } catch (err) {
      throw translateKafkaError(
        err,
        type === 'topic' ? `describing the configs of topics ${names.join(', ')} at ${this.where}` : `describing the broker configs of ${this.where}`,
      );
    }
  }

  async listGroups(): Promise<string[]> {
    try {
      return (await this.admin.listGroups()).groups.map((g) => g.groupId);
    } catch (err) {
      throw translateKafkaError(err, `listing consumer groups on ${this.where}`);
    }
  }

  async describeGroups(groupIds: string[]): Promise<GroupDescription[]> {
    if (groupIds.length === 0) return [];
    try {
      const { groups } = await this.admin.describeGroups(groupIds);
      return groups.map((g) => ({ groupId: g.groupId, state: g.state, members: g.members.length }));
    } catch (err) {
      throw translateKafkaError(err, `describing consumer groups on ${this.where}`);
    }
  }

  async committedOffsets(groupId: string, topics: string[]): Promise<CommittedOffset[]> {
    if (topics.length === 0) return [];
    try {
      const res = await this.admin.fetchOffsets({ groupId, topics });
      return res.flatMap((t) =>
        t.partitions.map((p) => ({
          topic: t.topic,
          partition: p.partition,
          offset: safeInt64(p.offset, `OffsetFetch response ${groupId} ${t.topic}/${p.partition} committed_offset`),
          metadata: p.metadata ?? null,
        })),
      );
    } catch (err) {
      throw translateKafkaError(err, `reading the committed offsets of consumer group ${groupId} on ${this.where}`);
    }
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.admin.disconnect(), this.cluster.disconnect()]);
  }
}

/** One broker's connection: kafkajs's broker object, with its connection pool and ApiVersions. */
export class KafkajsChannel implements BrokerChannel {
  readonly nodeId: number;

  constructor(
    private readonly kjs: KjsBroker,
    private readonly where: string,
  ) {
    this.nodeId = kjs.nodeId;
  }

  supports(apiKey: number, version: number): boolean {
    const v = this.kjs.versions?.[apiKey];
    return v !== undefined && v !== null && v.minVersion <= version && version <= v.maxVersion;
  }

  async fetch(request: FetchRequest, timeoutMs: number): Promise<FetchResponse> {
    try {
      const res = await this.send(fetchRequest(request), readFetchResponse, timeoutMs);
      return { errorCode: res.errorCode, topics: res.topics };
    } catch (err) {
      throw translateKafkaError(err, `fetching from broker ${this.nodeId}`);
    }
  }

  async produce(request: ProduceRequest, timeoutMs: number): Promise<ProduceResponse> {
    try {
      const res = await this.send(produceRequest(request), readProduceResponse, timeoutMs);
      return { topics: res.topics };
    } catch (err) {
      throw translateKafkaError(err, `producing to broker ${this.nodeId}`);
    }
  }

  async listOffset(topic: string, partition: number, timestamp: number): Promise<{ errorCode: number; offset: number }> {
    try {
      const res = await this.kjs.listOffsets({ isolationLevel: READ_COMMITTED, topics: [{ topic, partitions: [{ partition, timestamp }] }] });
      const p = res.responses[0]?.partitions[0];
      if (!p) throw new KafkaBackupError('KAFKA_PROTOCOL', `no offsets returned for ${topic}/${partition}`, { retryable: true });
      return { errorCode: p.errorCode, offset: safeInt64(p.offset, `ListOffsets response ${topic}/${partition} offset`) };
    } catch (err) {
      // kafkajs throws on a partition error while parsing the response (NOT_LEADER right after a
      // topic was created, for one); the contract returns it as data.
      const code = (err as { name?: string; code?: unknown }).code;
      if ((err as { name?: string }).name === 'KafkaJSProtocolError' && typeof code === 'number' && code > 0) return { errorCode: code, offset: -1 };
      throw translateKafkaError(err, `listing offsets of ${topic}/${partition}`);
    }
  }

  async initProducerId(): Promise<ProducerIdentity> {
    try {
      const res = await this.kjs.initProducerId({ transactionTimeout: 60_000 });
      return { producerId: safeInt64(res.producerId, 'InitProducerId response producer_id'), producerEpoch: res.producerEpoch };
    } catch (err) {
      throw translateKafkaError(err, 'initializing an idempotent producer (InitProducerId)');
    }
  }

  async findCoordinator(groupId: string): Promise<number> {
    try {
      return (await this.kjs.findGroupCoordinator({ groupId })).coordinator.nodeId;
    } catch (err) {
      throw translateKafkaError(err, `finding the coordinator of consumer group ${groupId}`);
    }
  }

  async commitOffsets(groupId: string, offsets: CommittedOffset[]): Promise<void> {
    if (offsets.length === 0) return;
    const byTopic = new Map<string, CommittedOffset[]>();
    for (const o of offsets) byTopic.set(o.topic, [...(byTopic.get(o.topic) ?? []), o]);
    // kafkajs's OffsetCommit response parser throws on the first partition error code.
    try {
      await this.kjs.offsetCommit({
        groupId,
        groupGenerationId: -1,
        memberId: '',
        topics: [...byTopic].map(([topic, os]) => ({
          topic,
          partitions: os.map((o) => ({ partition: o.partition, offset: String(o.offset), metadata: o.metadata })),
        })),
      });
    } catch (err) {
      throw translateKafkaError(err, `committing offsets of consumer group ${groupId} on ${this.where}`);
    }
  }

  async clusterOperations(topics: string[]): Promise<ClusterOperations> {
    try {
      return await this.send(metadataOperationsRequest(topics), readMetadataOperationsResponse);
    } catch (err) {
      throw translateKafkaError(err, 'asking the cluster for the authorized operations of this principal (Metadata v8)');
    }
  }

  async groupOperations(groupIds: string[]): Promise<GroupOperations[]> {
    try {
      return (await this.send(describeGroupsOperationsRequest(groupIds), readDescribeGroupsOperationsResponse)).groups;
    } catch (err) {
      throw translateKafkaError(err, `describing consumer groups ${groupIds.join(', ')}`);
    }
  }

  private send<T>(request: WireRequest, read: (payload: Buffer) => T, requestTimeout?: number): Promise<T> {
    return this.kjs.connectionPool.send({
      request: kjsRequest(request),
      response: kjsResponse(read),
      ...(requestTimeout !== undefined ? { requestTimeout } : {}),
    });
  }
}

function layout(t: { name: string; partitions: { partitionId: number; leader: number; replicas: number[]; isr: number[] }[] }): TopicLayout {
  return {
    name: t.name,
    partitions: t.partitions
      .map((p) => ({ partition: p.partitionId, leader: p.leader, replicas: p.replicas, isr: p.isr }))
      .sort((a, b) => a.partition - b.partition),
  };
}

/** A DescribeConfigs entry as kafkajs returns it; `fallback` is its source when the broker sent none. */
function configEntryOf(
  e: { configName: string; configValue?: string | null; configSource?: number; isDefault: boolean; readOnly: boolean; isSensitive: boolean },
  fallback: number,
): ConfigEntry {
  return {
    name: e.configName,
    value: e.configValue ?? null,
    source: e.configSource ?? (e.isDefault ? configSource.default : fallback),
    readOnly: e.readOnly,
    sensitive: e.isSensitive,
  };
}
