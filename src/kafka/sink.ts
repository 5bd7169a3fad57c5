// The Kafka sink seam: what the restore pipeline needs from the target cluster.
import type { GroupAdmin } from './group-admin.js';
import type { AccessProbe } from './kafka-access.js';
import type { PartitionOffsets, TopicInfo } from './source.js';
import type { TopicAdmin } from './topic-configs.js';
import type { NewTopic, ProducerIdentity } from './transport.js';

export interface ProduceOutcome {
  /** 0 on success; otherwise a Kafka error code (the caller decides whether to retry). */
  errorCode: number;
  /** Offset the broker assigned to the batch's first record (-1 when unknown). */
  baseOffset: number;
}

export interface KafkaSink {
  clusterId(): Promise<string>;
  topics(): Promise<TopicInfo[]>;
  createTopics(topics: NewTopic[]): Promise<void>;
  offsets(topic: string, partitions: number[]): Promise<Map<number, PartitionOffsets>>;
  /** An idempotent producer identity (InitProducerId without a transactional id). */
  initProducer(): Promise<ProducerIdentity>;
  /**
   * Send one stamped RecordBatch to a partition's leader. Calls for one partition are sent in
   * call order on one connection, so a caller may keep several in flight; calls for different
   * partitions of the same broker are coalesced into one Produce request.
   */
  produce(topic: string, partition: number, batch: Buffer): Promise<ProduceOutcome>;
  /**
   * Topic layout, configs and broker count, with which the restore compares existing topics with
   * the backup and sizes the replication factor of created ones; without it it does neither.
   */
  readonly topicAdmin?: TopicAdmin;
  /** Consumer groups: captured by a backup, committed by a restore; without it neither happens. */
  readonly groupAdmin?: GroupAdmin;
  /** What the principal may do on the target (authorized operations); without it nothing is checked. */
  readonly access?: AccessProbe;
  close(): Promise<void>;
}
