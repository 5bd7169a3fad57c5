// Committing an offsets plan (offsets-plan.ts) on the target. Only groups without members are
// changed (the coordinator refuses the others anyway); a group whose partitions are not all
// restored yet is left alone; a group already committed from the same capture is not committed
// again (the group-commit record), so rerunning a restore or `offsets apply` never moves a group
// that has consumed since back to the captured position. Each refusal is a problem naming the group.
import type { Logger } from 'pino';
import { isKafkaBackupError } from '../errors.js';
import { alreadyCommitted, readGroupCommits, writeGroupCommits } from '../format/group-offsets.js';
import { isActive, type GroupAdmin } from '../kafka/group-admin.js';
import type { GroupDescription } from '../kafka/transport.js';
import type { StorageBackend } from '../storage/backend.js';
import type { GroupOffsetPlan, OffsetsPlan } from './offsets-plan.js';

export interface TargetGroupStatus {
  description: GroupDescription | undefined;
  /**
   * The group is listed but DescribeGroups calls it Dead: a group of Kafka's new consumer protocol
   * (KIP-848), whose members the classic DescribeGroups cannot see.
   */
  membershipUnknown: boolean;
  /** The group's committed offsets on the plan's target partitions now: `topic/partition` → offset. */
  current: Map<string, number>;
}

/** Each planned target group as the target cluster has it now. */
export async function describeTargetGroups(plan: OffsetsPlan, admin: GroupAdmin): Promise<Map<string, TargetGroupStatus>> {
  const ids = plan.groups.map((g) => g.targetGroup);
  if (ids.length === 0) return new Map();
  const listed = new Set(await admin.listGroups());
  const descriptions = new Map((await admin.describeGroups(ids)).map((d) => [d.groupId, d]));
  const out = new Map<string, TargetGroupStatus>();
  for (const g of plan.groups) {
    const topics = [...new Set(g.partitions.map((p) => p.targetTopic))];
    const current = new Map<string, number>();
    try {
      for (const o of await admin.committedOffsets(g.targetGroup, topics)) current.set(`${o.topic}/${o.partition}`, o.offset);
    } catch (err) {
      // Before the restore a target topic may not exist yet: then there is nothing committed on it.
      if (!isKafkaBackupError(err) || (err.cause as { type?: string } | undefined)?.type !== 'UNKNOWN_TOPIC_OR_PARTITION') throw err;
    }
    const d = descriptions.get(g.targetGroup);
    out.set(g.targetGroup, { description: d, membershipUnknown: d?.state === 'Dead' && listed.has(g.targetGroup), current });
  }
  return out;
}

/**
 * Why the group cannot be committed now, or undefined when it can. `when`: before the restore
 * (preflight) the group must not be active; for `offsets apply` it must also be fully restored.
 */
export function groupProblem(g: GroupOffsetPlan, status: TargetGroupStatus | undefined, when: 'preflight' | 'apply'): string | undefined {
  const d = status?.description;
  if (d && isActive(d)) {
    const then = when === 'preflight' ? 'stop them before the restore, or restore without restore.consumer_groups and run `kafka-backup offsets apply` later' : 'stop them, then run `kafka-backup offsets apply` again';
    return `consumer group ${g.targetGroup} is active on the target (state ${d.state}, ${d.members} members): ${then}`;
  }
  if (when === 'preflight') return undefined;
  const pending = g.partitions.filter((p) => p.basis !== 'restored').map((p) => `${p.targetTopic}/${p.partition}`);
  if (pending.length > 0) return `consumer group ${g.targetGroup}: partitions ${pending.join(', ')} are not completely restored yet (run the restore first)`;
  return undefined;
}

/** What cannot be known about the group's members, or undefined. */
export function groupWarning(g: GroupOffsetPlan, status: TargetGroupStatus | undefined): string | undefined {
  if (!status?.membershipUnknown) return undefined;
  return (
    `consumer group ${g.targetGroup} uses Kafka's consumer protocol (KIP-848), whose members this check cannot see: ` +
    'if it has active members the commit is refused (UNKNOWN_MEMBER_ID) and `kafka-backup offsets apply` can be rerun once they stop'
  );
}

export interface ApplyResult {
  committed: { group: string; partitions: number }[];
  /** Groups already committed from this capture: left as they are. */
  unchanged: string[];
  problems: string[];
}

export interface ApplyOptions {
  storage: StorageBackend;
  backupId: string;
  clusterId: string;
  /** Commit even groups the record says were committed from this capture already. */
  force?: boolean;
  log: Logger;
}

/** Commit every group of the plan that can be committed; the others are listed as problems. */
export async function applyGroupOffsets(plan: OffsetsPlan, admin: GroupAdmin, opts: ApplyOptions): Promise<ApplyResult> {
  const result: ApplyResult = { committed: [], unchanged: [], problems: [...plan.problems] };
  if (plan.capturedAt === undefined || plan.groups.length === 0) return result;
  const statuses = await describeTargetGroups(plan, admin);
  const claims = new Map<string, number>();
  for (const g of plan.groups) claims.set(g.targetGroup, (claims.get(g.targetGroup) ?? 0) + 1);
  let { value: record, etag } = await readGroupCommits(opts.storage, opts.backupId, opts.clusterId);
  for (const g of plan.groups) {
    if (claims.get(g.targetGroup)! > 1) continue; // plan.problems names the collision
    const problem = groupProblem(g, statuses.get(g.targetGroup), 'apply');
    if (problem) {
      result.problems.push(problem);
      continue;
    }
    const offsets = g.partitions.map((p) => ({ topic: p.targetTopic, partition: p.partition, offset: p.target! }));
    const previous = record.groups.find((c) => c.target_group === g.targetGroup);
    if (!opts.force && alreadyCommitted(previous, plan.capturedAt, offsets)) {
      opts.log.info({ group: g.targetGroup, committed_at: previous!.committed_at }, 'consumer-group offsets already committed from this capture; left as they are');
      result.unchanged.push(g.targetGroup);
      continue;
    }
    try {
      await admin.commitOffsets(g.targetGroup, g.partitions.map((p) => ({ topic: p.targetTopic, partition: p.partition, offset: p.target!, metadata: p.metadata })));
    } catch (err) {
      result.problems.push(`consumer group ${g.targetGroup}: ${(err as Error).message}`);
      continue;
    }
    // Offsets of other topics committed earlier (another restore of this backup) stay recorded.
    const kept = (previous?.captured_at === plan.capturedAt ? previous.offsets : []).filter((c) => !offsets.some((o) => o.topic === c.topic && o.partition === c.partition));
    const entry = { target_group: g.targetGroup, source_group: g.sourceGroup, captured_at: plan.capturedAt, committed_at: new Date().toISOString(), offsets: [...kept, ...offsets] };
    record = { ...record, groups: [...record.groups.filter((c) => c.target_group !== g.targetGroup), entry] };
    etag = await writeGroupCommits(opts.storage, record, etag);
    opts.log.info({ group: g.targetGroup, source_group: g.sourceGroup, partitions: g.partitions.length }, 'consumer-group offsets committed');
    result.committed.push({ group: g.targetGroup, partitions: g.partitions.length });
  }
  return result;
}
