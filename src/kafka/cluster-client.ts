// What the Kafka source (backup) and sink (restore) both are: a view of one cluster through one
// KafkaTransport, with the cluster-level calls they share. Each adds its own data plane.
import type { Logger } from 'pino';
import { kafkaGroupAdmin, type GroupAdmin } from './group-admin.js';
import { kafkaAccessProbe, type AccessProbe } from './kafka-access.js';
import { listPartitionOffsets } from './offsets.js';
import type { PartitionOffsets, TopicInfo } from './source.js';
import { kafkaTopicAdmin, type TopicAdmin } from './topic-configs.js';
import type { KafkaTransport } from './transport.js';

export abstract class ClusterClient {
  constructor(
    protected readonly transport: KafkaTransport,
    protected readonly log: Logger,
  ) {}

  clusterId(): Promise<string> {
    return this.transport.clusterId();
  }

  async topics(): Promise<TopicInfo[]> {
    const topics = await this.transport.topics();
    return topics.map((t) => ({ name: t.name, partitions: t.partitions.length, internal: t.name.startsWith('__') }));
  }

  offsets(topic: string, partitions: number[]): Promise<Map<number, PartitionOffsets>> {
    return listPartitionOffsets(this.transport, topic, partitions, this.log);
  }

  get topicAdmin(): TopicAdmin {
    return kafkaTopicAdmin(this.transport);
  }

  get groupAdmin(): GroupAdmin {
    return kafkaGroupAdmin(this.transport);
  }

  get access(): AccessProbe {
    return kafkaAccessProbe(this.transport, this.log);
  }

  close(): Promise<void> {
    return this.transport.close();
  }
}
