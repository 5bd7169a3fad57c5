// The Kafka transport seam: everything the data plane and the admin calls need from a Kafka client,
// in our own types. src/kafka/kafkajs/ implements it over kafkajs (the only folder that imports
// kafkajs); test/kafka/memory/ implements it in memory for unit tests; one conformance suite
// (test/conformance/kafka-transport.ts) runs against both and against the real broker.
//
// Contract for every method:
// - Failures are KafkaBackupError (KAFKA_UNREACHABLE retryable, KAFKA_AUTH, KAFKA_TOPIC_MISSING,
//   KAFKA_PROTOCOL carrying `kafkaError`, Kafka's error name, and `retryable` as Kafka marks it).
//   A transport never retries a request itself: retry decisions are the caller's (kafka/retry.ts).
// - Per-partition error codes of Fetch, Produce and ListOffsets come back as data (`errorCode`),
//   because the data plane decides per partition (OFFSET_OUT_OF_RANGE, NOT_LEADER_OR_FOLLOWER).
// - int64 fields are JS numbers, read through records/int64.ts: beyond 2^53 is an error, never rounded.
import type { CommittedOffset } from '../format/group-offsets.js';
import type { KafkaSettings } from './settings.js';

export interface BrokerAddress {
  nodeId: number;
  host: string;
  port: number;
}

export interface PartitionLayout {
  partition: number;
  /** Node id of the leader; -1 while there is none. */
  leader: number;
  replicas: number[];
  isr: number[];
}

export interface TopicLayout {
  name: string;
  /** Sorted by partition. */
  partitions: PartitionLayout[];
}

/** DescribeConfigs config sources (Kafka's DescribeConfigsResponse.ConfigSource). */
export const configSource = {
  unknown: 0,
  /** Set on the topic itself (kafka-configs --alter, or at creation): what a backup captures. */
  topic: 1,
  dynamicBroker: 2,
  dynamicDefaultBroker: 3,
  staticBroker: 4,
  default: 5,
} as const;

export interface ConfigEntry {
  name: string;
  value: string | null;
  source: number;
  readOnly: boolean;
  sensitive: boolean;
}

export interface NewTopic {
  name: string;
  partitions: number;
  /** Undefined: the broker's default.replication.factor. */
  replicationFactor?: number;
  configs?: Record<string, string>;
}

export interface GroupDescription {
  groupId: string;
  /** Kafka's group state: Empty, Stable, PreparingRebalance, CompletingRebalance, Dead. */
  state: string;
  members: number;
}

export interface ProducerIdentity {
  producerId: number;
  producerEpoch: number;
}

// ---- Fetch v11 (read-committed, sessionless) ----

export interface FetchPartitionRequest {
  partition: number;
  fetchOffset: number;
  partitionMaxBytes: number;
}

export interface FetchRequest {
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
  /** Raw RecordBatch bytes as the broker sent them; may end with a partial batch. */
  records: Buffer;
}

export interface FetchResponse {
  errorCode: number;
  topics: { topic: string; partitions: FetchPartitionResponse[] }[];
}

// ---- Produce v7 (idempotent, acks=all; ready-made RecordBatch bytes, one per partition) ----

export interface ProduceRequest {
  acks: number;
  timeoutMs: number;
  topics: { topic: string; partitions: { partition: number; batch: Buffer }[] }[];
}

export interface ProducePartitionResponse {
  partition: number;
  errorCode: number;
  /** Offset the broker gave the batch's first record; -1 on error. */
  baseOffset: number;
}

export interface ProduceResponse {
  topics: { topic: string; partitions: ProducePartitionResponse[] }[];
}

// ---- Authorized operations (KIP-430): Metadata v8, DescribeGroups v3 ----

export interface TopicOperations {
  name: string;
  errorCode: number;
  /** The bit field as the broker sent it; -2147483648 when it sent none. */
  authorizedOperations: number;
}

export interface ClusterOperations {
  clusterAuthorizedOperations: number;
  topics: TopicOperations[];
}

export interface GroupOperations {
  groupId: string;
  errorCode: number;
  authorizedOperations: number;
}

/** Isolation levels of ListOffsets and Fetch. */
export const READ_COMMITTED = 1;
/** ListOffsets timestamps: the log start and the end (last stable offset when read-committed). */
export const EARLIEST_TIMESTAMP = -2;
export const LATEST_TIMESTAMP = -1;

/** One broker's connection: the requests that must reach a particular broker. */
export interface BrokerChannel {
  readonly nodeId: number;
  /** Whether the broker serves this version of the API (from its ApiVersions answer). */
  supports(apiKey: number, version: number): boolean;
  /** `timeoutMs` bounds the whole round trip, the broker's wait included. */
  fetch(request: FetchRequest, timeoutMs: number): Promise<FetchResponse>;
  produce(request: ProduceRequest, timeoutMs: number): Promise<ProduceResponse>;
  /** ListOffsets, read-committed, for one partition this broker leads. */
  listOffset(topic: string, partition: number, timestamp: number): Promise<{ errorCode: number; offset: number }>;
  /** InitProducerId without a transactional id: an idempotent producer identity. */
  initProducerId(): Promise<ProducerIdentity>;
  /** FindCoordinator for a consumer group, asked of this broker: the coordinator's node id. */
  findCoordinator(groupId: string): Promise<number>;
  /**
   * OffsetCommit with generation -1 and an empty member id, as Kafka's admin tools do: accepted
   * only for a group without members. Sent to the group's coordinator; a partition error throws.
   */
  commitOffsets(groupId: string, offsets: CommittedOffset[]): Promise<void>;
  /** Metadata v8 for the named topics (never auto-created) with authorized operations. */
  clusterOperations(topics: string[]): Promise<ClusterOperations>;
  /** DescribeGroups v3 with authorized operations; sent to the groups' coordinator. */
  groupOperations(groupIds: string[]): Promise<GroupOperations[]>;
}

/** One Kafka cluster, connected with the settings of a config's source or target section. */
export interface KafkaTransport {
  readonly settings: KafkaSettings;
  clusterId(): Promise<string>;
  brokers(): Promise<BrokerAddress[]>;
  /** Layout of the named topics, or of every topic when `names` is omitted; missing names are left out. */
  topics(names?: string[]): Promise<TopicLayout[]>;
  /**
   * The leader of a partition from cached metadata, refreshed when `refresh` is set or when it is
   * older than metadata.max.age.ms. A partition without a leader: KAFKA_TOPIC_MISSING, retryable;
   * a topic the cluster does not know: KAFKA_PROTOCOL UNKNOWN_TOPIC_OR_PARTITION, retryable (it
   * may have just been created; the conformance suite checks this one).
   */
  leader(topic: string, partition: number, refresh?: boolean): Promise<BrokerChannel>;
  /** A connected broker, any; every broker answers cluster-wide questions. */
  anyBroker(): Promise<BrokerChannel>;
  broker(nodeId: number): Promise<BrokerChannel>;
  /** The coordinator of a consumer group (FindCoordinator through the cluster). */
  groupCoordinator(groupId: string): Promise<BrokerChannel>;
  /**
   * CreateTopics. With `validateOnly` nothing is created and the result maps each topic the
   * cluster would refuse to the reason; without it a refusal throws and created topics have leaders.
   */
  createTopics(topics: NewTopic[], options: { validateOnly: boolean }): Promise<Map<string, string>>;
  /** DescribeConfigs without synonyms, by resource name. */
  describeConfigs(type: 'topic' | 'broker', names: string[]): Promise<Map<string, ConfigEntry[]>>;
  listGroups(): Promise<string[]>;
  describeGroups(groupIds: string[]): Promise<GroupDescription[]>;
  /** The group's committed offsets on these topics; partitions without a commit have offset -1. */
  committedOffsets(groupId: string, topics: string[]): Promise<CommittedOffset[]>;
  close(): Promise<void>;
}
