// `offsets plan` and `offsets apply`, the consumer-group part of a restore on its own
// (docs/consumer-groups.md): the whole flow in one file. plan translates the captured offsets to
// the target (from the restore states the target has, or predicted for partitions not restored
// yet: plan.ts) and checks what stands in the way of committing them (preflight.ts); apply then
// commits the groups that are fully restored, may be read by the principal and have no active
// members on the target, and were not committed from the same capture before unless forced
// (apply.ts). Each refusal is a problem naming the group.
import type { Logger } from 'pino';
import type { Config } from '../../config/types.js';
import type { GroupAdmin } from '../../kafka/group-admin.js';
import type { KafkaSink } from '../../kafka/sink.js';
import type { StorageBackend } from '../../storage/backend.js';
import { planRestore } from '../restore/checks/plan.js';
import { applyGroupOffsets, describeTargetGroups, type ApplyResult, type TargetGroupStatus } from './apply.js';
import { checkGroups, restoredOffsetsPlan, type GroupChecks } from './preflight.js';

/** A target with consumer groups: what both commands need. */
export type GroupSink = KafkaSink & { readonly groupAdmin: GroupAdmin };

/** The selected groups' translated offsets and what stands in the way of committing them now. */
export async function planOffsets(config: Config, storage: StorageBackend, sink: GroupSink, groups: readonly string[]): Promise<GroupChecks> {
  const plan = await restoredOffsetsPlan(config, await planRestore(config, storage), storage, sink, { groups });
  return checkGroups(plan, sink, 'apply');
}

export interface OffsetsApplied {
  /** The plan and its checks before anything was committed. */
  checked: GroupChecks;
  result: ApplyResult;
  /** Groups the principal may not READ, then every group applyGroupOffsets refused. */
  problems: string[];
  /** The target groups after the commits (as checked when they cannot be described again). */
  targets: Map<string, TargetGroupStatus>;
}

/** Plans the selected groups' offsets and commits every group that can be committed. */
export async function applyOffsets(
  config: Config,
  storage: StorageBackend,
  sink: GroupSink,
  opts: { groups: readonly string[]; force: boolean; log: Logger },
): Promise<OffsetsApplied> {
  const checked = await planOffsets(config, storage, sink, opts.groups);
  const plan = checked.plan;
  // Groups the principal may not READ are not tried; applyGroupOffsets checks the rest itself.
  const readable = { ...plan, groups: plan.groups.filter((g) => !checked.refused.has(g.targetGroup)) };
  const result = await applyGroupOffsets(readable, sink.groupAdmin, { storage, backupId: config.backup_id, clusterId: await sink.clusterId(), force: opts.force, log: opts.log });
  const problems = [...checked.refused.values(), ...result.problems];
  const targets = await describeTargetGroups(plan, sink.groupAdmin).catch(() => checked.targets);
  return { checked, result, problems, targets };
}
