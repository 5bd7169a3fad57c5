// What a restore will do, worked out before anything is written: which backed-up partitions,
// under which target names, and whether the target cluster can take them. `restore` and
// `validate-restore` share it, so the dry run checks exactly what the restore would do.
//
// The backup itself is checked here first (src/inspect/inventory.ts): backup.json readable, a
// readable manifest for every partition of the selected topics, every segment they list present
// with its recorded size. `restore` is refused on any of it before anything is written;
// `validate-restore` lists it with everything else it finds.
import { compileTopicSelector, literalTopics } from '../../../config/topics.js';
import type { Config } from '../../../config/types.js';
import { KafkaBackupError } from '../../../errors.js';
import type { BackupDescriptor } from '../../../format/descriptor.js';
import type { PartitionManifest } from '../../../format/manifest.js';
import { takeInventory } from '../../../inspect/inventory.js';
import type { StorageBackend } from '../../../storage/backend.js';

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
  /** undefined only in a plan of planRestoreChecked for a backup whose backup.json is damaged. */
  descriptor: BackupDescriptor | undefined;
  topics: RestoreTopicPlan[];
  /** Partitions whose manifest and segments are all there; the others are in the problems of planRestoreChecked. */
  partitions: RestorePartitionPlan[];
}

/** What in the backup or in restore.topics stands in the way of the restore. */
export interface BackupProblems {
  /** restore.topics names or matches no topic of the backup: a config mistake. */
  selection: string[];
  /** Missing or unreadable objects of the selected topics (and of backup.json), each naming partition and key. */
  damage: string[];
}

/** The plan, or an error before anything is written: CONFIG_INVALID for restore.topics, BACKUP_CORRUPT for damage. */
export async function planRestore(config: Config, storage: StorageBackend): Promise<RestorePlan> {
  const { plan, problems } = await planRestoreChecked(config, storage);
  if (problems.selection.length > 0) {
    throw new KafkaBackupError('CONFIG_INVALID', `restore.topics does not fit backup "${config.backup_id}":\n  - ${problems.selection.join('\n  - ')}`);
  }
  if (problems.damage.length > 0) {
    throw new KafkaBackupError(
      'BACKUP_CORRUPT',
      `backup "${config.backup_id}" at ${storage.location} is damaged; nothing was restored:\n  - ${problems.damage.join('\n  - ')}`,
      { backupId: config.backup_id },
    );
  }
  return plan;
}

/**
 * The plan of what can be planned, and every problem of the backup and the selection (for
 * validate-restore, which lists them all). BACKUP_NOT_FOUND when nothing of the backup exists.
 */
export async function planRestoreChecked(config: Config, storage: StorageBackend): Promise<{ plan: RestorePlan; problems: BackupProblems }> {
  const id = config.backup_id;
  const inv = await takeInventory(storage, id);
  if (!inv.exists) {
    throw new KafkaBackupError('BACKUP_NOT_FOUND', `no backup "${id}" at ${storage.location} (see \`kafka-backup status\` for the backups there)`);
  }
  // topic → partition count: the descriptor's topics (or, with backup.json damaged, the manifests').
  // A topic whose manifests exist but which the descriptor does not list yet belongs to a run
  // that had not finished planning (invariant 22): it holds no data, and its partition count and
  // topic configs are not known, so it is not restored.
  const held = new Map<string, number>();
  for (const t of inv.descriptor?.topics ?? []) held.set(t.name, t.partitions);
  for (const p of inv.partitions) {
    if (inv.descriptor === undefined || held.has(p.topic)) held.set(p.topic, Math.max(held.get(p.topic) ?? 0, p.partition + 1));
  }

  const selection: string[] = [];
  const sel = config.restore.topics;
  const holds = `it holds ${[...held.keys()].sort().join(', ') || 'no topics'}`;
  const missing = literalTopics(sel.include).filter((t) => !held.has(t));
  if (missing.length > 0) selection.push(`restore.topics.include names ${missing.join(', ')}, not in backup "${id}" (${holds})`);
  const select = compileTopicSelector(sel.include, sel.exclude);
  const chosen = [...held.keys()].filter(select).sort();
  if (chosen.length === 0 && missing.length === 0) selection.push(`no topic of backup "${id}" matches restore.topics (${holds})`);

  const topics: RestoreTopicPlan[] = chosen.map((t) => ({ sourceTopic: t, targetTopic: config.restore.topic_mapping[t] ?? t, partitions: held.get(t)! }));
  const targetOf = new Map(topics.map((t) => [t.sourceTopic, t.targetTopic]));
  // Damage of topics not restored does not stand in the way; a damaged backup.json always does.
  const relevant = inv.damage.filter((d) => d.topic === undefined || targetOf.has(d.topic));
  // A damaged partition is left out of the plan: the checks after this one read what it holds.
  const damaged = new Set(relevant.map((d) => `${d.topic}/${d.partition}`));
  const partitions: RestorePartitionPlan[] = inv.partitions.flatMap((p) => {
    const targetTopic = targetOf.get(p.topic);
    if (targetTopic === undefined || !p.manifest || damaged.has(`${p.topic}/${p.partition}`)) return [];
    const segs = p.manifest.segments;
    return [
      {
        sourceTopic: p.topic,
        targetTopic,
        partition: p.partition,
        manifest: p.manifest,
        records: segs.reduce((n, s) => n + s.record_count, 0),
        storedBytes: segs.reduce((n, s) => n + s.stored_bytes, 0),
        rawBytes: segs.reduce((n, s) => n + s.raw_bytes, 0),
      },
    ];
  });
  return { plan: { descriptor: inv.descriptor, topics, partitions }, problems: { selection, damage: relevant.map((d) => d.message) } };
}
