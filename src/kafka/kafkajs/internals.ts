// kafkajs 2.2.4 (pinned exactly in package.json) is our control plane: metadata, admin, SASL/TLS.
// The data plane sends its own Fetch/Produce request bytes (src/kafka/wire/) over kafkajs's
// authenticated broker connections (docs/decisions/0001-data-plane.md). kafkajs has no public API
// for that, so this file is the only place that reaches into its internals; the shapes below are
// what 2.2.4 provides.
import { createRequire } from 'node:module';
import type { Admin, Kafka, RetryOptions } from 'kafkajs';
import type { WireRequest } from '../wire/writer.js';

const require = createRequire(import.meta.url);

/**
 * What kafkajs's request framing takes from an encoded body (protocol/request.js `writeEncoder`):
 * an object with the bytes as `buf` and as `buffer`.
 */
export interface KjsEncoder {
  buf: Buffer;
  buffer: Buffer;
}

export interface KjsRequest {
  apiKey: number;
  apiVersion: number;
  apiName: string;
  encode(): Promise<KjsEncoder>;
}

export interface KjsResponse<T> {
  decode(payload: Buffer): Promise<T>;
  parse(decoded: T): Promise<T>;
}

export interface KjsBroker {
  nodeId: number;
  /** ApiVersions of the broker, by api key; set once the broker is connected. */
  versions?: Record<number, { minVersion: number; maxVersion: number } | undefined> | null;
  connectionPool: {
    send<T>(args: { request: KjsRequest; response: KjsResponse<T>; requestTimeout?: number }): Promise<T>;
  };
  listOffsets(args: {
    isolationLevel: number;
    topics: { topic: string; partitions: { partition: number; timestamp: number }[] }[];
  }): Promise<{ responses: { topic: string; partitions: { partition: number; errorCode: number; offset: string }[] }[] }>;
  offsetCommit(args: {
    groupId: string;
    groupGenerationId: number;
    memberId: string;
    topics: { topic: string; partitions: { partition: number; offset: string; metadata: string | null }[] }[];
  }): Promise<unknown>;
  /** FindCoordinator for a consumer group, asked of this broker; errors keep Kafka's `type`. */
  findGroupCoordinator(args: { groupId: string }): Promise<{ coordinator: { nodeId: number } }>;
  initProducerId(args: { transactionalId?: string; transactionTimeout: number }): Promise<{
    producerId: string;
    producerEpoch: number;
    errorCode: number;
  }>;
}

export interface KjsPartitionMetadata {
  partitionId: number;
  leader: number;
  replicas: number[];
  isr: number[];
  partitionErrorCode: number;
}

export interface KjsCluster {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  refreshMetadata(): Promise<void>;
  /** Refreshes only when the metadata is older than the cluster's metadataMaxAge. */
  refreshMetadataIfNecessary(): Promise<void>;
  addMultipleTargetTopics(topics: string[]): Promise<void>;
  findTopicPartitionMetadata(topic: string): KjsPartitionMetadata[];
  findBroker(args: { nodeId: number }): Promise<KjsBroker>;
  findControllerBroker(): Promise<KjsBroker>;
  findGroupCoordinator(args: { groupId: string }): Promise<KjsBroker>;
  brokerPool: { metadata?: { clusterId?: string; brokers: { nodeId: number; host: string; port: number }[] } };
}

type ClusterFactory = (opts: { allowAutoTopicCreation: boolean; maxInFlightRequests?: null; metadataMaxAge: number; instrumentationEmitter?: unknown }) => KjsCluster;

/** The Kafka instance's private cluster factory: its connection settings (TLS, SASL, timeouts). */
function clusterFactory(kafka: Kafka): ClusterFactory {
  const symbol = Object.getOwnPropertySymbols(kafka).find(
    (s) => s.description === 'private:Kafka:createCluster',
  );
  if (!symbol) throw new Error('kafkajs internals changed: createCluster not found (is kafkajs 2.2.4 installed?)');
  return (kafka as unknown as Record<symbol, ClusterFactory>)[symbol]!;
}

/** A new kafkajs Cluster with the Kafka instance's connection settings (TLS, SASL, timeouts). */
export function createCluster(kafka: Kafka, metadataMaxAgeMs: number): KjsCluster {
  return clusterFactory(kafka)({ allowAutoTopicCreation: false, maxInFlightRequests: null, metadataMaxAge: metadataMaxAgeMs });
}

const createAdminClient: (opts: { logger: unknown; instrumentationEmitter: unknown; retry: RetryOptions; cluster: KjsCluster }) => Admin =
  require('kafkajs/src/admin');
const InstrumentationEventEmitter: new () => unknown = require('kafkajs/src/instrumentation/emitter');

/**
 * What kafka.admin() builds, but with metadataMaxAge: kafkajs 2.2.4's admin() gives its cluster
 * none, so metadata.max.age.ms would not reach it (it refreshes metadata before nearly every call).
 * `retry` is the Kafka instance's, as admin() would take it.
 */
export function createAdmin(kafka: Kafka, metadataMaxAgeMs: number, retry: RetryOptions): Admin {
  const instrumentationEmitter = new InstrumentationEventEmitter();
  const cluster = clusterFactory(kafka)({ allowAutoTopicCreation: false, instrumentationEmitter, metadataMaxAge: metadataMaxAgeMs });
  return createAdminClient({ logger: kafka.logger(), instrumentationEmitter, retry, cluster });
}

/** Our request bytes (wire/writer.ts) as a request kafkajs's connection sends. */
export function kjsRequest(req: WireRequest): KjsRequest {
  const encoded: KjsEncoder = { buf: req.body, buffer: req.body };
  return { apiKey: req.apiKey, apiVersion: req.apiVersion, apiName: req.apiName, encode: async () => encoded };
}

/** Our response decoder as the response kafkajs's connection decodes with. */
export function kjsResponse<T>(read: (payload: Buffer) => T): KjsResponse<T> {
  return { decode: async (payload) => read(payload), parse: async (decoded) => decoded };
}
