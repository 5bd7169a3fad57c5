// The Kafka source seam: what the backup pipeline needs from a cluster. RecordBatches come back as
// the broker's bytes, with aborted-transaction data already removed and nothing decoded.
import type { BatchHeader } from '../records/batch.js';
import type { GroupAdmin } from './group-admin.js';
import type { TopicAdmin } from './topic-configs.js';

export interface RawBatch {
  header: BatchHeader;
  /** The batch's bytes; a view into a fetch response, valid until the next fetch of the partition. */
  bytes: Buffer;
}

export interface TopicInfo {
  name: string;
  partitions: number;
  internal: boolean;
}

export interface PartitionOffsets {
  /** Log start offset. */
  earliest: number;
  /** Last stable offset: the end of what a read-committed consumer can read now. */
  latest: number;
}

export interface FetchedData {
  /** Complete batches at or after the fetch offset, in order, aborted transactional data removed. */
  batches: RawBatch[];
  /** Where the next fetch starts: one past the last batch returned, or the fetch offset. */
  nextOffset: number;
  highWatermark: number;
  lastStableOffset: number;
  logStartOffset: number;
  /** Records dropped because their transaction aborted. */
  abortedRecords: number;
  /** The fetch offset is below the log start (retention deleted it) or past the end. */
  outOfRange: boolean;
}

export interface KafkaSource {
  clusterId(): Promise<string>;
  /** Every topic in the cluster (internal ones flagged). */
  topics(): Promise<TopicInfo[]>;
  offsets(topic: string, partitions: number[]): Promise<Map<number, PartitionOffsets>>;
  /**
   * Fetch from one partition. Calls for partitions on the same broker that are pending at the
   * same time travel in one Fetch request. `maxWaitMs` bounds how long the broker may hold the
   * request when no data is available.
   */
  fetch(topic: string, partition: number, offset: number, maxWaitMs: number): Promise<FetchedData>;
  /** Topic layout and configs, which the backup records; a source without it records neither. */
  readonly topicAdmin?: TopicAdmin;
  /** Consumer groups: captured by a backup, committed by a restore; without it neither happens. */
  readonly groupAdmin?: GroupAdmin;
  close(): Promise<void>;
}
