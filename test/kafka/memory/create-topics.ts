// CreateTopics as a KRaft controller checks it (ControllerApis / ReplicationControlManager):
// a legal name, not existing, a positive partition count (or -1: num.partitions), a replication
// factor the brokers can meet (or -1: default.replication.factor), known configs with valid values.
import type { NewTopic } from '../../../src/kafka/transport.js';
import type { MemoryKafka } from './cluster.js';
import type { KafkaErrorName } from './errors.js';
import { configProblem } from './topic-configs.js';

export interface Refusal {
  error: KafkaErrorName;
  message: string;
}

const LEGAL_NAME = /^[a-zA-Z0-9._-]+$/;

export function creationRefusal(kafka: MemoryKafka, t: NewTopic): Refusal | undefined {
  if (t.name === '' || t.name === '.' || t.name === '..' || t.name.length > 249 || !LEGAL_NAME.test(t.name)) {
    return { error: 'INVALID_TOPIC_EXCEPTION', message: `Topic name "${t.name}" is illegal` };
  }
  if (kafka.topics.has(t.name)) return { error: 'TOPIC_ALREADY_EXISTS', message: `Topic '${t.name}' already exists.` };
  if (t.partitions === 0 || t.partitions < -1) {
    return { error: 'INVALID_PARTITIONS', message: 'Number of partitions was set to an invalid non-positive value.' };
  }
  const rf = t.replicationFactor ?? -1;
  if (rf === 0 || rf < -1) {
    return { error: 'INVALID_REPLICATION_FACTOR', message: 'Replication factor must be larger than 0, or -1 to use the default value.' };
  }
  const wanted = rf === -1 ? kafka.defaultReplicationFactor : rf;
  if (wanted > kafka.nodeIds.length) {
    return {
      error: 'INVALID_REPLICATION_FACTOR',
      message:
        `Unable to replicate the partition ${wanted} time(s): The target replication factor of ${wanted} ` +
        `cannot be reached because only ${kafka.nodeIds.length} broker(s) are registered.`,
    };
  }
  for (const [name, value] of Object.entries(t.configs ?? {})) {
    const problem = configProblem(name, value);
    if (problem !== undefined) return { error: 'INVALID_CONFIG', message: problem };
  }
  return undefined;
}

/** Creates the topics the cluster accepts; returns the refusals by topic name. */
export function createTopics(kafka: MemoryKafka, topics: NewTopic[], validateOnly: boolean): Map<string, Refusal> {
  const refused = new Map<string, Refusal>();
  for (const t of topics) {
    const refusal = creationRefusal(kafka, t);
    if (refusal !== undefined) refused.set(t.name, refusal);
    else if (!validateOnly) {
      kafka.createTopic(t.name, t.partitions === -1 ? kafka.defaultPartitions : t.partitions, {
        replicationFactor: t.replicationFactor === undefined || t.replicationFactor === -1 ? kafka.defaultReplicationFactor : t.replicationFactor,
        configs: t.configs ?? {},
      });
    }
  }
  return refused;
}
