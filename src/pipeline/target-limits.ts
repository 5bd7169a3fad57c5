// The limits a target topic puts on what it accepts and keeps (docs/restore-targets.md): the
// largest batch, the timestamp type, how far a CreateTime may lie from the broker's clock, whether
// it compacts, and its time retention. For a topic that exists they are its effective configs
// (DescribeConfigs reports broker defaults too); for one the restore creates, the configs it will be
// created with on top of the target broker's defaults.
import { isKafkaBackupError, describeError } from '../errors.js';
import type { TopicAdmin } from '../kafka/topic-configs.js';
import type { ConfigEntry, NewTopic } from '../kafka/transport.js';

export interface TargetLimits {
  topic: string;
  /** existing: the topic's own effective configs; created: what the restore creates it with. */
  origin: 'existing' | 'created';
  /** max.message.bytes: the largest batch (log overhead included) the topic accepts. */
  maxMessageBytes: number | undefined;
  /** message.timestamp.type LogAppendTime: the broker stamps records with its clock. */
  logAppendTime: boolean;
  /** Most ms a CreateTime may lie before / after the broker's clock (undefined: no limit). */
  beforeMaxMs: number | undefined;
  afterMaxMs: number | undefined;
  /** cleanup.policy contains compact: records need a key. */
  compacted: boolean;
  /** retention.ms of a topic whose cleanup.policy contains delete (undefined: kept forever). */
  retentionMs: number | undefined;
}

/** Topic config → the broker configs that supply its default, in order, with a unit factor. */
const BROKER_DEFAULTS: [topicKey: string, brokerKey: string, factor: number][] = [
  ['max.message.bytes', 'message.max.bytes', 1],
  ['message.timestamp.type', 'log.message.timestamp.type', 1],
  ['message.timestamp.before.max.ms', 'log.message.timestamp.before.max.ms', 1],
  ['message.timestamp.after.max.ms', 'log.message.timestamp.after.max.ms', 1],
  ['message.timestamp.difference.max.ms', 'log.message.timestamp.difference.max.ms', 1],
  ['cleanup.policy', 'log.cleanup.policy', 1],
  ['retention.ms', 'log.retention.ms', 1],
  ['retention.ms', 'log.retention.minutes', 60_000],
  ['retention.ms', 'log.retention.hours', 3_600_000],
];

/** The topic-config defaults a broker gives the topics created on it, from its own configs. */
export function topicDefaultsFromBroker(entries: readonly ConfigEntry[]): Record<string, string> {
  const have = new Map(entries.filter((e) => e.value !== null).map((e) => [e.name, e.value!]));
  const out: Record<string, string> = {};
  for (const [topicKey, brokerKey, factor] of BROKER_DEFAULTS) {
    const v = have.get(brokerKey);
    if (out[topicKey] !== undefined || v === undefined) continue;
    out[topicKey] = factor === 1 ? v : String(Number(v) * factor);
  }
  return out;
}

/** A duration limit: undefined for "none" (Long.MAX_VALUE, beyond 2^53, negative or not a number). */
function limitMs(v: string | undefined): number | undefined {
  if (v === undefined || v.trim() === '') return undefined;
  const n = Number(v);
  return Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

/** The limits from a topic's effective configs (topic config names). */
export function limitsFromConfigs(topic: string, origin: TargetLimits['origin'], values: Record<string, string>): TargetLimits {
  const policy = (values['cleanup.policy'] ?? '').split(',').map((p) => p.trim());
  const difference = limitMs(values['message.timestamp.difference.max.ms']);
  const retention = limitMs(values['retention.ms']);
  const max = limitMs(values['max.message.bytes']);
  return {
    topic,
    origin,
    maxMessageBytes: max !== undefined && max > 0 ? max : undefined,
    logAppendTime: values['message.timestamp.type'] === 'LogAppendTime',
    // Kafka (since 3.6): a before/after limit left at "none" falls back to the deprecated difference limit.
    beforeMaxMs: limitMs(values['message.timestamp.before.max.ms']) ?? difference,
    afterMaxMs: limitMs(values['message.timestamp.after.max.ms']) ?? difference,
    compacted: policy.includes('compact'),
    retentionMs: policy.includes('delete') ? retention : undefined,
  };
}

/**
 * The limits of every target topic: existing ones described, created ones from their configs plus
 * the broker's defaults. What cannot be read (no DescribeConfigs permission, no admin) is left out
 * with a note: those topics are not checked, and batches stay under the fixed merge cap.
 */
export async function targetLimits(
  admin: TopicAdmin | undefined,
  existing: readonly string[],
  created: readonly NewTopic[],
): Promise<{ limits: Map<string, TargetLimits>; notes: { topic: string; message: string }[] }> {
  const limits = new Map<string, TargetLimits>();
  const notes: { topic: string; message: string }[] = [];
  const unread = (topics: readonly string[], err: unknown) => {
    if (!isKafkaBackupError(err, 'KAFKA_AUTH')) throw err;
    for (const topic of topics) notes.push({ topic, message: `cannot read the limits of target topic ${topic} (max.message.bytes, timestamps, retention), so they are not checked: ${describeError(err)}` });
  };
  if (!admin) return { limits, notes };
  if (existing.length > 0) {
    try {
      for (const d of await admin.describeTopics([...existing])) {
        const values = Object.fromEntries(d.configs.filter((e) => e.value !== null).map((e) => [e.name, e.value!]));
        limits.set(d.name, limitsFromConfigs(d.name, 'existing', values));
      }
    } catch (err) {
      unread(existing, err);
    }
  }
  if (created.length > 0 && admin.brokerConfigs) {
    try {
      const defaults = topicDefaultsFromBroker(await admin.brokerConfigs());
      for (const t of created) limits.set(t.name, limitsFromConfigs(t.name, 'created', { ...defaults, ...(t.configs ?? {}) }));
    } catch (err) {
      unread(created.map((t) => t.name), err);
    }
  }
  return { limits, notes };
}
