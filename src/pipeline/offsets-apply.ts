// Committing an offsets plan (offsets-plan.ts) on the target. Only groups without members are
// changed (the coordinator refuses the others anyway); a group whose partitions are not all
// restored yet is left alone. Each refusal is a problem naming the group and what to do.
import type { Logger } from 'pino';
import { isActive, type GroupAdmin, type GroupDescription } from '../kafka/group-admin.js';
import type { GroupOffsetPlan, OffsetsPlan } from './offsets-plan.js';

export interface TargetGroupStatus {
  description: GroupDescription | undefined;
  /** The group's committed offsets on the plan's target partitions now: `topic/partition` → offset. */
  current: Map<string, number>;
}

/** Each planned target group as the target cluster has it now. */
export async function describeTargetGroups(plan: OffsetsPlan, admin: GroupAdmin): Promise<Map<string, TargetGroupStatus>> {
  const ids = plan.groups.map((g) => g.targetGroup);
  const descriptions = new Map((await admin.describeGroups(ids)).map((d) => [d.groupId, d]));
  const out = new Map<string, TargetGroupStatus>();
  for (const g of plan.groups) {
    const topics = [...new Set(g.partitions.map((p) => p.targetTopic))];
    const current = new Map<string, number>();
    // Committed offsets can only be read for topics that exist; before the restore some may not.
    for (const o of await admin.committedOffsets(g.targetGroup, topics).catch(() => [])) current.set(`${o.topic}/${o.partition}`, o.offset);
    out.set(g.targetGroup, { description: descriptions.get(g.targetGroup), current });
  }
  return out;
}

/** Why the group cannot be committed now, or undefined when it can. */
export function groupProblem(g: GroupOffsetPlan, status: TargetGroupStatus | undefined, requireRestored: boolean): string | undefined {
  const d = status?.description;
  if (d && isActive(d)) {
    return `consumer group ${g.targetGroup} is active on the target (state ${d.state}, ${d.members} members): stop its consumers, then run \`kafka-backup offsets apply\``;
  }
  if (!requireRestored) return undefined;
  const pending = g.partitions.filter((p) => p.basis !== 'restored').map((p) => `${p.targetTopic}/${p.partition}`);
  if (pending.length > 0) return `consumer group ${g.targetGroup}: partitions ${pending.join(', ')} are not completely restored yet (run the restore first)`;
  return undefined;
}

export interface ApplyResult {
  committed: { group: string; partitions: number }[];
  problems: string[];
}

/** Commit every group of the plan that can be committed; the others are listed as problems. */
export async function applyGroupOffsets(plan: OffsetsPlan, admin: GroupAdmin, log: Logger): Promise<ApplyResult> {
  const result: ApplyResult = { committed: [], problems: [...plan.problems] };
  const statuses = await describeTargetGroups(plan, admin);
  for (const g of plan.groups) {
    const problem = groupProblem(g, statuses.get(g.targetGroup), true);
    if (problem) {
      result.problems.push(problem);
      continue;
    }
    try {
      await admin.commitOffsets(
        g.targetGroup,
        g.partitions.map((p) => ({ topic: p.targetTopic, partition: p.partition, offset: p.target!, metadata: p.metadata })),
      );
    } catch (err) {
      result.problems.push(`consumer group ${g.targetGroup}: ${(err as Error).message}`);
      continue;
    }
    log.info({ group: g.targetGroup, source_group: g.sourceGroup, partitions: g.partitions.length }, 'consumer-group offsets committed');
    result.committed.push({ group: g.targetGroup, partitions: g.partitions.length });
  }
  return result;
}
