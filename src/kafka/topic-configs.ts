// Topic layout and configs: what a backup records of each topic (partition count, replication
// factor, the configs set on the topic itself) and how a restore turns that record into the
// configs of the topics it creates, and into the differences it reports for topics that exist.
// Without them a restored topic gets the target's defaults, and e.g. a 7-day retention deletes
// restored records with old timestamps minutes after the restore.
import { describeBrokerConfigs } from './broker-configs.js';
import { configSource, type ConfigEntry, type KafkaTransport, type NewTopic } from './transport.js';

export interface TopicDescription {
  name: string;
  partitions: number;
  /** Replicas of partition 0 (Kafka has no topic-level replication factor). */
  replicationFactor: number;
  /** Every config entry the broker reports for the topic, whatever its source. */
  configs: ConfigEntry[];
}

/** The control-plane questions about topics that backup and restore ask beyond their data. */
export interface TopicAdmin {
  /** Layout and configs of the named topics; every name must exist. */
  describeTopics(names: string[]): Promise<TopicDescription[]>;
  /** How many brokers the cluster has. */
  brokerCount(): Promise<number>;
  /**
   * Ask the cluster whether it would create these topics (CreateTopics with validate_only), so a
   * dry run finds an unknown config, a bad value or an impossible replication factor. Returns
   * topic → reason for each topic it would refuse.
   */
  validateNewTopics(topics: NewTopic[]): Promise<Map<string, string>>;
  /** The configs of a broker of the cluster: the defaults of topics created there (kafka/broker-configs.ts). */
  brokerConfigs?(): Promise<ConfigEntry[]>;
}

/** Topics per DescribeConfigs request, so a backup of thousands of topics sends several. */
const DESCRIBE_CHUNK = 200;

export function kafkaTopicAdmin(transport: KafkaTransport): TopicAdmin {
  return {
    brokerConfigs: () => describeBrokerConfigs(transport),
    async describeTopics(names) {
      if (names.length === 0) return [];
      const topics = await transport.topics(names);
      const entries = new Map<string, ConfigEntry[]>();
      for (let i = 0; i < names.length; i += DESCRIBE_CHUNK) {
        for (const [name, configs] of await transport.describeConfigs('topic', names.slice(i, i + DESCRIBE_CHUNK))) entries.set(name, configs);
      }
      return topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.length,
        replicationFactor: t.partitions.find((p) => p.partition === 0)?.replicas.length ?? 0,
        configs: entries.get(t.name) ?? [],
      }));
    },
    async validateNewTopics(topics) {
      if (topics.length === 0) return new Map();
      return transport.createTopics(topics, { validateOnly: true });
    },
    async brokerCount() {
      return (await transport.brokers()).length;
    },
  };
}

/**
 * Configs that are set on a topic but describe its source cluster, not the topic: replication
 * throttles name the source's broker ids.
 */
const CLUSTER_SPECIFIC = new Set(['leader.replication.throttled.replicas', 'follower.replication.throttled.replicas']);

/**
 * The configs a backup records: those set on the topic itself (not broker or built-in defaults,
 * which belong to the cluster), except read-only, sensitive and cluster-specific ones. Sorted by
 * key, so equal captures serialize to equal bytes.
 */
export function capturedConfigs(entries: ConfigEntry[]): Record<string, string> {
  const kept = entries.filter(
    (e) => e.source === configSource.topic && !e.readOnly && !e.sensitive && e.value !== null && !CLUSTER_SPECIFIC.has(e.name),
  );
  return sortedRecord(kept.map((e) => [e.name, e.value!]));
}

export interface SkippedConfig {
  key: string;
  value: string;
  reason: string;
}

/**
 * The configs a restore gives a topic: the captured ones (when `useCaptured`), then the overrides
 * on top (a null override drops the key). A captured LogAppendTime is not applied: the restore
 * writes each record's source append time as its CreateTime (docs/design.md, invariant 10), which
 * a LogAppendTime topic would replace with the time of the restore. An override applies as written.
 */
export function desiredConfigs(
  captured: Record<string, string> | undefined,
  overrides: Record<string, string | null>,
  useCaptured: boolean,
): { configs: Record<string, string>; skipped: SkippedConfig[] } {
  const configs = new Map(useCaptured ? Object.entries(captured ?? {}) : []);
  const skipped: SkippedConfig[] = [];
  if (configs.get('message.timestamp.type') === 'LogAppendTime') {
    configs.delete('message.timestamp.type');
    skipped.push({
      key: 'message.timestamp.type',
      value: 'LogAppendTime',
      reason: 'restored records keep the source append times as CreateTime, which LogAppendTime would overwrite',
    });
  }
  for (const [key, value] of Object.entries(overrides)) {
    if (value === null) configs.delete(key);
    else configs.set(key, value);
  }
  return { configs: sortedRecord([...configs]), skipped };
}

export interface ReplicationChoice {
  /** Undefined: the target broker's default. */
  replicationFactor: number | undefined;
  /** Why the captured factor was lowered, for the log. */
  note?: string;
  /** The configured factor cannot be met. */
  problem?: string;
}

/**
 * A created topic's replication factor: the configured one, else the captured one lowered to the
 * target's broker count (a smaller target cluster), else the broker default.
 */
export function chooseReplicationFactor(opts: { configured?: number; captured?: number; brokers?: number }): ReplicationChoice {
  const { configured, captured, brokers } = opts;
  if (configured !== undefined) {
    if (brokers !== undefined && configured > brokers) {
      return { replicationFactor: configured, problem: `restore.replication_factor ${configured} exceeds the target's ${brokers} broker${brokers === 1 ? '' : 's'}` };
    }
    return { replicationFactor: configured };
  }
  if (captured === undefined || captured < 1) return { replicationFactor: undefined };
  if (brokers !== undefined && brokers >= 1 && captured > brokers) {
    return {
      replicationFactor: brokers,
      note: `replication factor ${captured} of the backup lowered to ${brokers}, the target's broker count`,
    };
  }
  return { replicationFactor: captured };
}

/** A min.insync.replicas above the replication factor makes every acks=all write fail. */
export function minInsyncProblem(configs: Record<string, string>, replicationFactor: number | undefined): string | undefined {
  const min = configs['min.insync.replicas'];
  if (min === undefined || replicationFactor === undefined || !(Number(min) > replicationFactor)) return undefined;
  return (
    `min.insync.replicas ${min} exceeds replication factor ${replicationFactor}, so acks=all writes would fail; ` +
    'set restore.config_overrides["min.insync.replicas"] (or restore.replication_factor)'
  );
}

export interface ConfigDifference {
  key: string;
  /** The value the restore wants (captured, after overrides). */
  backup: string;
  /** The target topic's value; null when the target does not know the key. */
  target: string | null;
}

/** Keys of `desired` whose value on the target topic differs, in key order. */
export function configDifferences(desired: Record<string, string>, target: ConfigEntry[]): ConfigDifference[] {
  const have = new Map(target.map((e) => [e.name, e.value]));
  return Object.entries(desired)
    .filter(([key, value]) => have.get(key) !== value)
    .map(([key, value]) => ({ key, backup: value, target: have.get(key) ?? null }));
}

function sortedRecord(entries: [string, string][]): Record<string, string> {
  return Object.fromEntries(entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
