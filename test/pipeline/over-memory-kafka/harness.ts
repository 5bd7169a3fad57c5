// The pipelines over the in-memory Kafka: runBackup with the real RawKafkaSource and runRestore
// with the real RawKafkaSink, each over a MemoryTransport, storing into the in-memory backend.
// Every pipeline entry point these tests use is called here, so a move of the pipeline's files
// is re-pointed in this one file.
import { pino } from 'pino';
import type { Config } from '../../../src/config/types.js';
import { RawKafkaSink } from '../../../src/kafka/kafka-sink.js';
import { RawKafkaSource } from '../../../src/kafka/kafka-source.js';
import { kafkaSettings } from '../../../src/kafka/settings.js';
import { applyGroupOffsets } from '../../../src/pipeline/offsets/apply.js';
import { checkGroups, restoredOffsetsPlan } from '../../../src/pipeline/offsets/preflight.js';
import { runBackup } from '../../../src/pipeline/backup/backup.js';
import { runRestore } from '../../../src/pipeline/restore/restore.js';
import { planRestore } from '../../../src/pipeline/restore/checks/plan.js';
import { AbortedTransactionFilter } from '../../../src/records/transactions.js';
import { kafkaCodecs } from '../../../src/records/codecs.js';
import type { StorageBackend } from '../../../src/storage/backend.js';
import { base, parse } from '../../config/helpers.js';
import { MemoryKafka } from '../../kafka/memory/cluster.js';
import { MemoryTransport } from '../../kafka/memory/transport.js';
import { readBack, type VisibleRecord } from '../../records/build.js';

export const log = pino({ level: 'silent' });
export const BACKUP_ID = 'test-backup';

const indent = (text: string) => text.replace(/^(?=.)/gm, '  ');
type KafkaConfig = Record<string, string | number>;
const yamlMap = (m: KafkaConfig) => Object.entries(m).map(([k, v]) => `${k}: ${v}`).join('\n');

/** Retries and waits short enough for unit tests; the rest are the config's defaults. */
const FAST_SOURCE: KafkaConfig = { 'retry.backoff.ms': 1, 'fetch.max.wait.ms': 10 };
const FAST_TARGET: KafkaConfig = { 'retry.backoff.ms': 1 };

/** A backup config (YAML under `backup:`, properties under source.kafka_config), storage in memory. */
export function backupConfig(backup = 'compression: none', kafkaConfig: KafkaConfig = {}): Config {
  const kc = indent(indent(yamlMap({ ...FAST_SOURCE, ...kafkaConfig })));
  return parse(`${base}source:\n  bootstrap_servers: memory-kafka:9092\n  kafka_config:\n${kc}\nbackup:\n${indent(backup)}\n`);
}

/** A restore config (YAML under `restore:`, properties under target.kafka_config). */
export function restoreConfig(restore = '', kafkaConfig: KafkaConfig = {}): Config {
  const kc = indent(indent(yamlMap({ ...FAST_TARGET, ...kafkaConfig })));
  return parse(`${base}target:\n  bootstrap_servers: memory-kafka:9092\n  kafka_config:\n${kc}\n${restore ? `restore:\n${indent(restore)}\n` : ''}`);
}

/** The backup's source over the in-memory Kafka, with the settings the config gives. */
export function sourceOf(kafka: MemoryKafka, config = backupConfig()): RawKafkaSource {
  return new RawKafkaSource(new MemoryTransport(kafka, kafkaSettings(config.source!)), log);
}

/** The restore's sink over the in-memory Kafka, with the settings the config gives. */
export function sinkOf(kafka: MemoryKafka, config = restoreConfig()): RawKafkaSink {
  return new RawKafkaSink(new MemoryTransport(kafka, kafkaSettings(config.target!)), log);
}

export async function backup(kafka: MemoryKafka, storage: StorageBackend, config = backupConfig(), signal = new AbortController().signal): Promise<void> {
  const source = sourceOf(kafka, config);
  try {
    await runBackup({ config, source, storage, log, signal });
  } finally {
    await source.close();
  }
}

export async function restore(target: MemoryKafka, storage: StorageBackend, config = restoreConfig()): Promise<void> {
  const sink = sinkOf(target, config);
  try {
    await runRestore({ config, sink, storage, log, signal: new AbortController().signal });
  } finally {
    await sink.close();
  }
}

/** `offsets apply` without the CLI: the plan from the restore states on the target, then the commits. */
export async function applyOffsets(target: MemoryKafka, storage: StorageBackend, config: Config): Promise<{ problems: string[]; committed: string[] }> {
  const sink = sinkOf(target, config);
  try {
    const plan = await restoredOffsetsPlan(config, await planRestore(config, storage), storage, sink, { groups: config.restore.consumer_groups });
    const checked = await checkGroups(plan, sink, 'apply');
    const result = await applyGroupOffsets(plan, sink.groupAdmin, { storage, backupId: config.backup_id, clusterId: await sink.clusterId(), log });
    return { problems: [...checked.problems, ...result.problems], committed: result.committed.map((c) => c.group) };
  } finally {
    await sink.close();
  }
}

export type Record_ = Omit<VisibleRecord, 'offset'>;

/**
 * What a read-committed consumer of the topic sees, per partition, offsets dropped: records from
 * the log start on, control batches and aborted transactions left out.
 */
export async function consumed(kafka: MemoryKafka, topic: string): Promise<Record_[][]> {
  const out: Record_[][] = [];
  for (const { log: partitionLog } of kafka.topics.get(topic)?.partitions ?? []) {
    const filter = new AbortedTransactionFilter(partitionLog.abortedIndex);
    const records: Record_[] = [];
    for (const { header, bytes } of partitionLog.batches) {
      if (header.baseOffset >= partitionLog.lastStableOffset) break;
      if (filter.isAborted(header, bytes) || header.isControl) continue;
      for (const r of await readBack(bytes, kafkaCodecs)) {
        if (r.offset >= partitionLog.logStartOffset) records.push({ timestamp: r.timestamp, key: r.key, value: r.value, headers: r.headers });
      }
    }
    out.push(records);
  }
  return out;
}

/** Every record's value as text, per partition (for short assertion messages). */
export async function values(kafka: MemoryKafka, topic: string): Promise<string[][]> {
  return (await consumed(kafka, topic)).map((p) => p.map((r) => r.value?.toString() ?? '<null>'));
}
