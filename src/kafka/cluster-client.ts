// What the Kafka source (backup) and sink (restore) both are: a view of one cluster through one
// KafkaConnection, with the cluster-level calls they share. Each adds its own data plane.
import type { Logger } from 'pino';
import type { KafkaConnection } from './connection.js';
import { kafkaGroupAdmin, type GroupAdmin } from './group-admin.js';
import { kafkaAccessProbe, type AccessProbe } from './kafka-access.js';
import { listPartitionOffsets } from './offsets.js';
import type { PartitionOffsets, TopicInfo } from './source.js';
import { kafkaTopicAdmin, type TopicAdmin } from './topic-configs.js';

export abstract class ClusterClient {
  constructor(
    protected readonly conn: KafkaConnection,
    protected readonly log: Logger,
  ) {}

  clusterId(): Promise<string> {
    return this.conn.clusterId();
  }

  topics(): Promise<TopicInfo[]> {
    return this.conn.listTopics();
  }

  offsets(topic: string, partitions: number[]): Promise<Map<number, PartitionOffsets>> {
    return listPartitionOffsets(this.conn, topic, partitions, this.log);
  }

  get topicAdmin(): TopicAdmin {
    return kafkaTopicAdmin(this.conn);
  }

  get groupAdmin(): GroupAdmin {
    return kafkaGroupAdmin(this.conn);
  }

  get access(): AccessProbe {
    return kafkaAccessProbe(this.conn, this.log);
  }

  close(): Promise<void> {
    return this.conn.close();
  }
}
