// Topic configs as a Kafka 4 broker knows them: each known key with its type and built-in default,
// how CreateTopics checks a value, and what DescribeConfigs answers (value and source).
import { configSource, type ConfigEntry } from '../../../src/kafka/transport.js';

type ConfigType = 'long' | 'int' | 'double' | 'boolean' | 'string' | 'list';

interface ConfigDef {
  type: ConfigType;
  default: string;
  /** Allowed values (a list type: allowed items). */
  oneOf?: string[];
  /** Smallest allowed number. */
  min?: number;
}

const LONG_MAX = '9223372036854775807';

/** Kafka 4.x topic configs (LogConfig) with their defaults. */
export const topicConfigDefs: Record<string, ConfigDef> = {
  'cleanup.policy': { type: 'list', default: 'delete', oneOf: ['compact', 'delete'] },
  'compression.gzip.level': { type: 'int', default: '-1' },
  'compression.lz4.level': { type: 'int', default: '9' },
  'compression.type': { type: 'string', default: 'producer', oneOf: ['uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer'] },
  'compression.zstd.level': { type: 'int', default: '3' },
  'delete.retention.ms': { type: 'long', default: '86400000', min: 0 },
  'file.delete.delay.ms': { type: 'long', default: '60000', min: 0 },
  'flush.messages': { type: 'long', default: LONG_MAX, min: 1 },
  'flush.ms': { type: 'long', default: LONG_MAX, min: 0 },
  'follower.replication.throttled.replicas': { type: 'list', default: '' },
  'index.interval.bytes': { type: 'int', default: '4096', min: 0 },
  'leader.replication.throttled.replicas': { type: 'list', default: '' },
  'local.retention.bytes': { type: 'long', default: '-2', min: -2 },
  'local.retention.ms': { type: 'long', default: '-2', min: -2 },
  'max.compaction.lag.ms': { type: 'long', default: LONG_MAX, min: 1 },
  'max.message.bytes': { type: 'int', default: '1048588', min: 0 },
  'message.timestamp.after.max.ms': { type: 'long', default: '3600000', min: 0 },
  'message.timestamp.before.max.ms': { type: 'long', default: LONG_MAX, min: 0 },
  'message.timestamp.type': { type: 'string', default: 'CreateTime', oneOf: ['CreateTime', 'LogAppendTime'] },
  'min.cleanable.dirty.ratio': { type: 'double', default: '0.5', min: 0 },
  'min.compaction.lag.ms': { type: 'long', default: '0', min: 0 },
  'min.insync.replicas': { type: 'int', default: '1', min: 1 },
  preallocate: { type: 'boolean', default: 'false' },
  'remote.storage.enable': { type: 'boolean', default: 'false' },
  'retention.bytes': { type: 'long', default: '-1' },
  'retention.ms': { type: 'long', default: '604800000', min: -1 },
  'segment.bytes': { type: 'int', default: '1073741824', min: 1048576 },
  'segment.index.bytes': { type: 'int', default: '10485760', min: 4 },
  'segment.jitter.ms': { type: 'long', default: '0', min: 0 },
  'segment.ms': { type: 'long', default: '604800000', min: 1 },
  'unclean.leader.election.enable': { type: 'boolean', default: 'false' },
};

/** Why a config the broker would refuse is refused (Kafka's INVALID_CONFIG message), or undefined. */
export function configProblem(name: string, value: string): string | undefined {
  const def = topicConfigDefs[name];
  if (def === undefined) return `Unknown topic config name: ${name}`;
  const bad = (what: string) => `Invalid value ${value} for configuration ${name}: ${what}`;
  switch (def.type) {
    case 'long':
    case 'int': {
      if (!/^-?\d+$/.test(value.trim())) return bad(`Not a number of type ${def.type.toUpperCase()}`);
      const n = Number(value);
      if (def.type === 'int' && (n > 2 ** 31 - 1 || n < -(2 ** 31))) return bad('Not a number of type INT');
      if (def.min !== undefined && n < def.min) return bad(`Value must be at least ${def.min}`);
      return undefined;
    }
    case 'double':
      return Number.isNaN(Number(value)) ? bad('Not a number of type DOUBLE') : undefined;
    case 'boolean':
      return /^(true|false)$/i.test(value.trim()) ? undefined : bad('Expected value to be either true or false');
    case 'string':
      return def.oneOf && !def.oneOf.includes(value) ? bad(`String must be one of: ${def.oneOf.join(', ')}`) : undefined;
    case 'list': {
      const items = value.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
      const unknown = def.oneOf ? items.find((i) => !def.oneOf!.includes(i)) : undefined;
      return unknown !== undefined ? bad(`String must be one of: ${def.oneOf!.join(', ')}`) : undefined;
    }
  }
}

/** A cluster-wide default that differs from Kafka's built-in one (a broker's server.properties). */
export interface BrokerDefault {
  value: string;
  source: number;
}

/** DescribeConfigs of a topic: every known key, from the topic, else the broker, else the built-in default. */
export function describeTopicConfigs(topicConfigs: Map<string, string>, brokerDefaults: Map<string, BrokerDefault>): ConfigEntry[] {
  return Object.keys(topicConfigDefs)
    .sort()
    .map((name) => {
      const own = topicConfigs.get(name);
      const broker = brokerDefaults.get(name);
      const [value, source] =
        own !== undefined ? [own, configSource.topic] : broker !== undefined ? [broker.value, broker.source] : [topicConfigDefs[name]!.default, configSource.default];
      return { name, value, source, readOnly: false, sensitive: false };
    });
}

/** A topic's effective value of a config. */
export function effectiveConfig(name: string, topicConfigs: Map<string, string>, brokerDefaults: Map<string, BrokerDefault>): string {
  return topicConfigs.get(name) ?? brokerDefaults.get(name)?.value ?? topicConfigDefs[name]?.default ?? '';
}
