// What a restore will do, worked out before anything is written: which backed-up partitions,
// under which target names, and whether the target cluster can take them. `restore` and
// `validate-restore` share it, so the dry run checks exactly what the restore would do.
import { compileTopicSelector, literalTopics } from '../config/topics.js';
import type { Config } from '../config/types.js';
import { KafkaBackupError } from '../errors.js';
import { readDescriptor, type BackupDescriptor } from '../format/descriptor.js';
import { parseManifestKey, topicsPrefix } from '../format/layout.js';
import { readManifest, type PartitionManifest } from '../format/manifest.js';
import type { StorageBackend } from '../storage/backend.js';
import { runPool } from './pool.js';

export interface RestorePartitionPlan {
  sourceTopic: string;
  targetTopic: string;
  partition: number;
  manifest: PartitionManifest;
  records: number;
  storedBytes: number;
  rawBytes: number;
}

export interface RestoreTopicPlan {
  sourceTopic: string;
  targetTopic: string;
  /** Partition count of the source topic when it was backed up. */
  partitions: number;
}

export interface RestorePlan {
  descriptor: BackupDescriptor;
  topics: RestoreTopicPlan[];
  partitions: RestorePartitionPlan[];
}

export async function planRestore(config: Config, storage: StorageBackend): Promise<RestorePlan> {
  const id = config.backup_id;
  const read = await readDescriptor(storage, id);
  if (!read) {
    throw new KafkaBackupError('BACKUP_NOT_FOUND', `no backup "${id}" at ${storage.location} (see \`kafka-backup status\` for the backups there)`);
  }
  const refs = new Map<string, number[]>();
  for await (const obj of storage.list(topicsPrefix(id))) {
    const ref = parseManifestKey(obj.key);
    if (ref && ref.id === id) refs.set(ref.topic, [...(refs.get(ref.topic) ?? []), ref.partition]);
  }
  const sel = config.restore.topics;
  const missing = literalTopics(sel.include).filter((t) => !refs.has(t));
  if (missing.length > 0) {
    throw new KafkaBackupError('KAFKA_TOPIC_MISSING', `restore.topics.include names ${missing.join(', ')}, not in backup "${id}" (it holds ${[...refs.keys()].join(', ') || 'no topics'})`);
  }
  const select = compileTopicSelector(sel.include, sel.exclude);
  const chosen = [...refs.keys()].filter(select).sort();
  if (chosen.length === 0) throw new KafkaBackupError('KAFKA_TOPIC_MISSING', `no topic of backup "${id}" matches restore.topics`);

  const topics: RestoreTopicPlan[] = chosen.map((t) => ({
    sourceTopic: t,
    targetTopic: config.restore.topic_mapping[t] ?? t,
    partitions: Math.max(read.descriptor.topics.find((d) => d.name === t)?.partitions ?? 0, Math.max(...refs.get(t)!) + 1),
  }));
  const partitions: RestorePartitionPlan[] = [];
  const work = topics.flatMap((t) => refs.get(t.sourceTopic)!.map((p) => ({ t, p })));
  await runPool(work, 16, async ({ t, p }) => {
    const m = await readManifest(storage, id, t.sourceTopic, p);
    if (!m) throw new KafkaBackupError('BACKUP_CORRUPT', `manifest of ${t.sourceTopic}/${p} disappeared while reading backup "${id}"`);
    const segs = m.manifest.segments;
    partitions.push({
      sourceTopic: t.sourceTopic,
      targetTopic: t.targetTopic,
      partition: p,
      manifest: m.manifest,
      records: segs.reduce((n, s) => n + s.record_count, 0),
      storedBytes: segs.reduce((n, s) => n + s.stored_bytes, 0),
      rawBytes: segs.reduce((n, s) => n + s.raw_bytes, 0),
    });
  });
  partitions.sort((a, b) => a.sourceTopic.localeCompare(b.sourceTopic) || a.partition - b.partition);
  return { descriptor: read.descriptor, topics, partitions };
}
