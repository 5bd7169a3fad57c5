// Restore side of consumer-group offsets (docs/consumer-groups.md): which captured offsets a
// restore commits on the target, translated with "next record" semantics. A group that had
// committed source offset C resumes at the first restored record whose source offset is >= C, or
// at the end of the restored data when there is none. Both are target_start + (the number of
// restored records with a source offset below C), which is how the dry run predicts a target
// offset before anything is written; after the restore the offset map answers exactly.
import { compileGroupSelector } from '../config/groups.js';
import type { Config } from '../config/types.js';
import { chooseCapture, listGroupCaptures, readGroupCapture, type CommittedOffset } from '../format/group-offsets.js';
import { nextTargetFor, type RestoreState } from '../format/restore-state.js';
import type { StorageBackend } from '../storage/backend.js';
import { countRestoredRecords } from './restore-count.js';
import { restoreFilterFor, type RestoreFilter } from './restore-filter.js';
import type { RestorePartitionPlan, RestorePlan } from './restore-plan.js';

export interface PartitionOffsetPlan {
  sourceTopic: string;
  targetTopic: string;
  partition: number;
  /** The group's committed offset on the source. */
  committed: number;
  metadata: string | null;
  /** The offset to commit on the target; undefined when it cannot be known yet. */
  target: number | undefined;
  /** restored: from a completed restore's offset map; predicted: what the restore will give. */
  basis: 'restored' | 'predicted';
}

export interface GroupOffsetPlan {
  sourceGroup: string;
  targetGroup: string;
  partitions: PartitionOffsetPlan[];
}

export interface OffsetsPlan {
  /** The capture used (ISO time), or undefined when none fits. */
  capturedAt: string | undefined;
  /** restore.time_window_end, when the capture was chosen as of it. */
  asOf: number | undefined;
  groups: GroupOffsetPlan[];
  problems: string[];
}

/** Where each restored partition stands on the target, as far as the plan needs it. */
export interface TargetPartitionState {
  /** The restore state of the partition in this target cluster, if a restore started. */
  prior: RestoreState | undefined;
  /** The target partition's end now (undefined: the topic does not exist yet). */
  endOffset: number | undefined;
}

export async function planGroupOffsets(
  config: Config,
  plan: RestorePlan,
  storage: StorageBackend,
  targets: (p: RestorePartitionPlan) => TargetPartitionState | undefined,
  groupEntries: readonly string[] = config.restore.consumer_groups,
): Promise<OffsetsPlan> {
  const asOf = config.restore.time_window_end;
  const times = await listGroupCaptures(storage, config.backup_id);
  const chosen = chooseCapture(times, asOf);
  if (chosen === undefined) {
    const problem =
      times.length === 0
        ? `backup "${config.backup_id}" has no consumer-group capture (set backup.consumer_groups when backing up)`
        : `backup "${config.backup_id}" has no consumer-group capture at or before restore.time_window_end ` +
          `(${new Date(asOf!).toISOString()}); its first is from ${new Date(times[0]!).toISOString()}`;
    return { capturedAt: undefined, asOf, groups: [], problems: [problem] };
  }
  const capture = await readGroupCapture(storage, config.backup_id, chosen);
  const select = compileGroupSelector(groupEntries);
  const restored = new Map(plan.partitions.map((p) => [`${p.sourceTopic}/${p.partition}`, p]));
  const problems: string[] = [];
  const groups: GroupOffsetPlan[] = [];
  const targetsTaken = new Map<string, string>();
  for (const g of capture.groups.filter((c) => select(c.group_id))) {
    const targetGroup = config.restore.consumer_group_mapping[g.group_id] ?? g.group_id;
    const other = targetsTaken.get(targetGroup);
    if (other !== undefined) problems.push(`consumer groups ${other} and ${g.group_id} would both be committed as ${targetGroup}`);
    targetsTaken.set(targetGroup, g.group_id);
    const partitions: PartitionOffsetPlan[] = [];
    for (const o of g.offsets) {
      const p = restored.get(`${o.topic}/${o.partition}`);
      if (!p) continue; // a topic or partition this restore does not restore
      partitions.push(await translate(config, storage, p, o, targets(p)));
    }
    if (partitions.length > 0) groups.push({ sourceGroup: g.group_id, targetGroup, partitions });
  }
  return { capturedAt: capture.captured_at, asOf, groups, problems };
}

async function translate(
  config: Config,
  storage: StorageBackend,
  p: RestorePartitionPlan,
  o: CommittedOffset,
  t: TargetPartitionState | undefined,
): Promise<PartitionOffsetPlan> {
  const base = { sourceTopic: p.sourceTopic, targetTopic: p.targetTopic, partition: p.partition, committed: o.offset, metadata: o.metadata };
  if (t?.prior?.state === 'complete') {
    const s = t.prior;
    const target = nextTargetFor(s.offset_map, o.offset) ?? s.target_start_offset + s.records_written;
    return { ...base, target, basis: 'restored' };
  }
  const start = t?.prior?.target_start_offset ?? t?.endOffset ?? (t ? 0 : undefined);
  if (start === undefined) return { ...base, target: undefined, basis: 'predicted' };
  const before = await restoredBefore(config, storage, p, o.offset);
  return { ...base, target: start + before, basis: 'predicted' };
}

/** How many records the restore writes for the partition with a source offset below `offset`. */
async function restoredBefore(config: Config, storage: StorageBackend, p: RestorePartitionPlan, offset: number): Promise<number> {
  if (offset === 0) return 0;
  const filter: RestoreFilter = { ...restoreFilterFor(config.restore, p.sourceTopic, p.partition) };
  filter.endOffset = Math.min(filter.endOffset ?? Infinity, offset - 1);
  if (filter.startOffset !== undefined && filter.startOffset > filter.endOffset) return 0;
  return countRestoredRecords(storage, p.manifest.segments, filter);
}
