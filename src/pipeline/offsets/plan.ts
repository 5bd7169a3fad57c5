// Restore side of consumer-group offsets (docs/consumer-groups.md): which captured offsets a
// restore commits on the target, translated with "next record" semantics. A group that had
// committed source offset C resumes at the first restored record whose source offset is >= C, or
// at the end of the restored data when there is none. Both are target_start + (the number of
// restored records with a source offset below C), which is how the dry run predicts a target
// offset before anything is written; after the restore the offset map answers exactly.
import { compileGroupSelector, literalGroups } from '../../config/groups.js';
import type { Config } from '../../config/types.js';
import { chooseCapture, listGroupCaptures, readGroupCapture, type CommittedOffset } from '../../format/group-offsets.js';
import { nextTargetFor, type RestoreState } from '../../format/restore-state.js';
import type { StorageBackend } from '../../storage/backend.js';
import { runPool } from '../shared/pool.js';
import { countRestoredRecords } from '../restore/checks/count.js';
import { restoreFilterFor, type RestoreFilter } from '../restore/filter.js';
import type { RestorePartitionPlan, RestorePlan } from '../restore/checks/plan.js';

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
  /** Settings that select nothing (a mapping key, an exact group id not in the capture). */
  warnings: string[];
}

/** Where each restored partition stands on the target, as far as the plan needs it. */
export interface TargetPartitionState {
  /** The restore state of the partition in this target cluster, if a restore started. */
  prior: RestoreState | undefined;
  /** The target partition's end now (undefined: the topic does not exist yet). */
  endOffset: number | undefined;
}

export interface PlanOptions {
  /** Group entries instead of restore.consumer_groups. */
  groups?: readonly string[] | undefined;
  /** Predict target offsets of partitions not restored yet (reads segment indexes); default true. */
  predict?: boolean;
}

export async function planGroupOffsets(
  config: Config,
  plan: RestorePlan,
  storage: StorageBackend,
  targets: (p: RestorePartitionPlan) => TargetPartitionState | undefined,
  options: PlanOptions = {},
): Promise<OffsetsPlan> {
  const groupEntries = options.groups ?? config.restore.consumer_groups;
  const asOf = config.restore.time_window_end;
  const times = await listGroupCaptures(storage, config.backup_id);
  const chosen = chooseCapture(times, asOf);
  if (chosen === undefined) {
    const problem =
      times.length === 0
        ? `backup "${config.backup_id}" has no consumer-group capture (set backup.consumer_groups when backing up)`
        : `backup "${config.backup_id}" has no consumer-group capture at or before restore.time_window_end ` +
          `(${new Date(asOf!).toISOString()}); its first is from ${new Date(times[0]!).toISOString()}`;
    return { capturedAt: undefined, asOf, groups: [], problems: [problem], warnings: [] };
  }
  const capture = await readGroupCapture(storage, config.backup_id, chosen);
  const select = compileGroupSelector(groupEntries);
  const restored = new Map(plan.partitions.map((p) => [`${p.sourceTopic}/${p.partition}`, p]));
  const problems: string[] = [];
  const warnings: string[] = [];
  const groups: GroupOffsetPlan[] = [];
  const targetsTaken = new Map<string, string>();
  const selected = capture.groups.filter((c) => select(c.group_id));
  const captured = new Set(capture.groups.map((g) => g.group_id));
  for (const id of literalGroups(groupEntries).filter((e) => !captured.has(e))) {
    warnings.push(`consumer group ${id} is not in the capture of ${capture.captured_at} (it had no committed offsets on the backed-up topics, or backup.consumer_groups did not select it)`);
  }
  for (const id of Object.keys(config.restore.consumer_group_mapping).filter((k) => !selected.some((g) => g.group_id === k))) {
    warnings.push(`restore.consumer_group_mapping names ${id}, which is not a selected captured group: the mapping does nothing`);
  }
  const work: { g: GroupOffsetPlan; p: RestorePartitionPlan; o: CommittedOffset; i: number }[] = [];
  for (const g of selected) {
    const targetGroup = config.restore.consumer_group_mapping[g.group_id] ?? g.group_id;
    const other = targetsTaken.get(targetGroup);
    if (other !== undefined) problems.push(`consumer groups ${other} and ${g.group_id} would both be committed as ${targetGroup}`);
    targetsTaken.set(targetGroup, g.group_id);
    const entry: GroupOffsetPlan = { sourceGroup: g.group_id, targetGroup, partitions: [] };
    for (const o of g.offsets) {
      const p = restored.get(`${o.topic}/${o.partition}`);
      if (p) work.push({ g: entry, p, o, i: work.length }); // others: a topic or partition this restore does not restore
    }
    if (work.some((w) => w.g === entry)) groups.push(entry);
  }
  const translated = new Array<PartitionOffsetPlan>(work.length);
  await runPool(work, 8, async (w) => {
    translated[w.i] = await translate(config, storage, w.p, w.o, targets(w.p), options.predict ?? true, problems);
  });
  for (const w of work) w.g.partitions.push(translated[w.i]!);
  return { capturedAt: capture.captured_at, asOf, groups, problems: [...new Set(problems)].sort(), warnings };
}

async function translate(
  config: Config,
  storage: StorageBackend,
  p: RestorePartitionPlan,
  o: CommittedOffset,
  t: TargetPartitionState | undefined,
  predict: boolean,
  problems: string[],
): Promise<PartitionOffsetPlan> {
  const base = { sourceTopic: p.sourceTopic, targetTopic: p.targetTopic, partition: p.partition, committed: o.offset, metadata: o.metadata };
  const where = `${p.targetTopic}/${p.partition}`;
  const s = t?.prior;
  if (s && (s.source_topic !== p.sourceTopic || s.source_partition !== p.partition)) {
    problems.push(`${where} was restored from ${s.source_topic}/${s.source_partition}, not ${p.sourceTopic}/${p.partition}: its offset map does not apply`);
    return { ...base, target: undefined, basis: 'predicted' };
  }
  if (s?.state === 'complete') {
    const end = s.target_start_offset + s.records_written;
    if (t?.endOffset !== undefined && t.endOffset < end) {
      problems.push(`${where} ends at offset ${t.endOffset}, before the ${end} its restore reached: the topic was truncated or recreated since`);
      return { ...base, target: undefined, basis: 'restored' };
    }
    return { ...base, target: nextTargetFor(s.offset_map, o.offset) ?? end, basis: 'restored' };
  }
  const start = s?.target_start_offset ?? t?.endOffset ?? (t ? 0 : undefined);
  if (start === undefined || !predict) return { ...base, target: undefined, basis: 'predicted' };
  const before = await restoredBefore(config, storage, p, o.offset);
  return { ...base, target: start + before, basis: 'predicted' };
}

/**
 * How many records the restore writes for the partition with a source offset below `offset`.
 * Segments starting at or after it are not read; without a filter, segments wholly below it count
 * from the manifest, so at most one segment's index (and one block) is read.
 */
async function restoredBefore(config: Config, storage: StorageBackend, p: RestorePartitionPlan, offset: number): Promise<number> {
  if (offset === 0) return 0;
  const own = restoreFilterFor(config.restore, p.sourceTopic, p.partition);
  const filter: RestoreFilter = { ...own, endOffset: Math.min(own?.endOffset ?? Infinity, offset - 1) };
  if (filter.startOffset !== undefined && filter.startOffset > filter.endOffset!) return 0;
  const below = p.manifest.segments.filter((seg) => seg.base_offset < offset);
  if (own) return countRestoredRecords(storage, below, filter);
  const whole = below.filter((seg) => seg.next_offset <= offset);
  const rest = below.filter((seg) => seg.next_offset > offset);
  return whole.reduce((n, seg) => n + seg.record_count, 0) + (rest.length > 0 ? await countRestoredRecords(storage, rest, filter) : 0);
}
