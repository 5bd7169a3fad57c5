// The consumer-group part of a restore's preflight: with restore.consumer_groups set, the plan
// must find a capture, and no selected group may be active on the target, since its offsets could
// not be committed after the data is written. validate-restore shows the predicted plan.
import type { Config } from '../config/types.js';
import { readRestoreState } from '../format/restore-state.js';
import { grantCommand } from '../kafka/authorized-operations.js';
import type { KafkaSink } from '../kafka/sink.js';
import type { StorageBackend } from '../storage/backend.js';
import { describeTargetGroups, groupProblem, type TargetGroupStatus } from './offsets-apply.js';
import { planGroupOffsets, type OffsetsPlan } from './offsets-plan.js';
import { partitionKey, type Preflight } from './restore-preflight.js';
import type { RestorePlan } from './restore-plan.js';
import { runPool } from './pool.js';

export interface GroupPreflight {
  plan: OffsetsPlan;
  targets: Map<string, TargetGroupStatus>;
  problems: string[];
}

/** The predicted offsets plan and what stops it, from the restore's preflight; undefined without groups. */
export async function groupPreflight(
  config: Config,
  plan: RestorePlan,
  storage: StorageBackend,
  sink: KafkaSink,
  check: Preflight,
): Promise<GroupPreflight | undefined> {
  if (config.restore.consumer_groups.length === 0) return undefined;
  const offsets = await planGroupOffsets(config, plan, storage, (p) => check.partitions.get(partitionKey(p.targetTopic, p.partition)));
  const problems = [...offsets.problems];
  // Committing offsets needs READ on the group; where the cluster says it is refused, say so now.
  // Such a group usually may not be described either, so it is not asked about further.
  const refused = new Set<string>();
  const access = sink.access;
  if (access && offsets.groups.length > 0) {
    for (const [group, allowed] of await access.groupRead(offsets.groups.map((g) => g.targetGroup))) {
      if (allowed !== false) continue;
      refused.add(group);
      problems.push(
        `consumer group ${group}: the principal ${access.principal} may not READ it (the restore commits its offsets); ` +
          `the ACL that grants it: ${grantCommand(access.principal, 'READ', { type: 'group', name: group })}`,
      );
    }
  }
  const described = { ...offsets, groups: offsets.groups.filter((g) => !refused.has(g.targetGroup)) };
  const targets = sink.groupAdmin ? await describeTargetGroups(described, sink.groupAdmin) : new Map<string, TargetGroupStatus>();
  for (const g of described.groups) {
    const problem = groupProblem(g, targets.get(g.targetGroup), false);
    if (problem) problems.push(problem);
  }
  return { plan: offsets, targets, problems };
}

/** The offsets plan from the restore states the target cluster has now (after a restore). */
export async function restoredOffsetsPlan(
  config: Config,
  plan: RestorePlan,
  storage: StorageBackend,
  sink: KafkaSink,
  groupEntries?: readonly string[],
): Promise<OffsetsPlan> {
  const clusterId = await sink.clusterId();
  const existing = new Map((await sink.topics()).map((t) => [t.name, t.partitions]));
  const states = new Map<string, { prior: Awaited<ReturnType<typeof readRestoreState>>; end: number | undefined }>();
  await runPool(plan.partitions, 16, async (p) => {
    const prior = await readRestoreState(storage, config.backup_id, clusterId, p.targetTopic, p.partition);
    const exists = (existing.get(p.targetTopic) ?? 0) > p.partition;
    const end = exists ? (await sink.offsets(p.targetTopic, [p.partition])).get(p.partition)?.latest : undefined;
    states.set(partitionKey(p.targetTopic, p.partition), { prior, end });
  });
  return planGroupOffsets(
    config,
    plan,
    storage,
    (p) => {
      const s = states.get(partitionKey(p.targetTopic, p.partition))!;
      return { prior: s.prior?.state, endOffset: s.end };
    },
    groupEntries,
  );
}
