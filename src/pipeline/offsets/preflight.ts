// The consumer-group checks around a restore: with restore.consumer_groups set, the plan must find
// a capture, the principal must be allowed to READ each group, and no selected group may be
// active on the target, since its offsets could not be committed after the data is written.
// validate-restore shows the predicted plan; `offsets plan` / `offsets apply` run the same checks.
import type { Config } from '../../config/types.js';
import { readRestoreState } from '../../format/restore-state.js';
import { grantCommand } from '../../kafka/authorized-operations.js';
import type { KafkaSink } from '../../kafka/sink.js';
import type { StorageBackend } from '../../storage/backend.js';
import { describeTargetGroups, groupProblem, groupWarning, type TargetGroupStatus } from './apply.js';
import { planGroupOffsets, type OffsetsPlan, type PlanOptions } from './plan.js';
import { runPool } from '../shared/pool.js';
import { partitionKey, type Preflight } from '../restore/checks/preflight.js';
import type { RestorePlan } from '../restore/checks/plan.js';

export interface GroupChecks {
  plan: OffsetsPlan;
  targets: Map<string, TargetGroupStatus>;
  problems: string[];
  warnings: string[];
  /** Groups the principal may not READ (their problem): not described, never committed. */
  refused: Map<string, string>;
}

/**
 * Checks a plan against the target: READ on each group where the cluster says, then (for the
 * groups that may be read) whether they are active. `when` words the advice (groupProblem).
 */
export async function checkGroups(plan: OffsetsPlan, sink: KafkaSink, when: 'preflight' | 'apply'): Promise<GroupChecks> {
  const problems = [...plan.problems];
  const warnings = [...plan.warnings];
  // A group the principal may not READ usually may not be described either: not asked further.
  const refused = new Map<string, string>();
  const access = sink.access;
  if (access && plan.groups.length > 0) {
    for (const [group, allowed] of await access.groupRead(plan.groups.map((g) => g.targetGroup))) {
      if (allowed !== false) continue;
      const problem =
        `consumer group ${group}: the principal ${access.principal} may not READ it (committing its offsets needs READ); ` +
        `the ACL that grants it: ${grantCommand(access.principal, 'READ', { type: 'group', name: group })}`;
      refused.set(group, problem);
      problems.push(problem);
    }
  }
  const readable = { ...plan, groups: plan.groups.filter((g) => !refused.has(g.targetGroup)) };
  const targets = sink.groupAdmin ? await describeTargetGroups(readable, sink.groupAdmin) : new Map<string, TargetGroupStatus>();
  for (const g of readable.groups) {
    const problem = groupProblem(g, targets.get(g.targetGroup), when);
    if (problem) problems.push(problem);
    const warning = groupWarning(g, targets.get(g.targetGroup));
    if (warning) warnings.push(warning);
  }
  return { plan, targets, problems, warnings, refused };
}

/**
 * The restore's group preflight, undefined without restore.consumer_groups. `predict`: compute the
 * target offsets (validate-restore shows them; the restore itself only needs the problems).
 */
export async function groupPreflight(
  config: Config,
  plan: RestorePlan,
  storage: StorageBackend,
  sink: KafkaSink,
  check: Preflight,
  predict: boolean,
): Promise<GroupChecks | undefined> {
  if (config.restore.consumer_groups.length === 0) return undefined;
  const offsets = await planGroupOffsets(config, plan, storage, (p) => check.partitions.get(partitionKey(p.targetTopic, p.partition)), { predict });
  return checkGroups(offsets, sink, 'preflight');
}

/** The offsets plan from the restore states the target cluster has now (after a restore). */
export async function restoredOffsetsPlan(
  config: Config,
  plan: RestorePlan,
  storage: StorageBackend,
  sink: KafkaSink,
  options: PlanOptions = {},
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
    options,
  );
}
