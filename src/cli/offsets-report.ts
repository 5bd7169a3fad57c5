// How an offsets plan is shown: by `offsets plan`, `offsets apply` and `validate-restore`, in
// text and in JSON, from the same rows.
import type { TargetGroupStatus } from '../pipeline/offsets/apply.js';
import type { OffsetsPlan } from '../pipeline/offsets/plan.js';
import { table } from './format.js';

export function offsetsPlanJson(plan: OffsetsPlan, targets: Map<string, TargetGroupStatus>) {
  return {
    captured_at: plan.capturedAt ?? null,
    as_of: plan.asOf !== undefined ? new Date(plan.asOf).toISOString() : null,
    groups: plan.groups.map((g) => {
      const t = targets.get(g.targetGroup);
      return {
        source_group: g.sourceGroup,
        target_group: g.targetGroup,
        target_state: t?.description?.state ?? null,
        target_members: t?.description?.members ?? null,
        partitions: g.partitions.map((p) => ({
          source: `${p.sourceTopic}/${p.partition}`,
          target: `${p.targetTopic}/${p.partition}`,
          committed: p.committed,
          target_offset: p.target ?? null,
          current_target_offset: t?.current.get(`${p.targetTopic}/${p.partition}`) ?? null,
          basis: p.basis,
        })),
      };
    }),
    problems: plan.problems,
  };
}

export function offsetsPlanText(plan: OffsetsPlan, targets: Map<string, TargetGroupStatus>): string {
  if (plan.capturedAt === undefined) return 'Consumer-group offsets: no capture to use.';
  const asOf = plan.asOf !== undefined ? ` (the latest at or before the window end ${new Date(plan.asOf).toISOString()})` : '';
  const head = `Consumer-group offsets from the capture of ${plan.capturedAt}${asOf}:`;
  if (plan.groups.length === 0) return `${head}\n  no selected group has offsets on the restored partitions`;
  const rows = [['GROUP', 'SOURCE', 'COMMITTED', 'TARGET', 'OFFSET', 'NOW', 'STATE']];
  for (const g of plan.groups) {
    const t = targets.get(g.targetGroup);
    const name = g.targetGroup === g.sourceGroup ? g.targetGroup : `${g.sourceGroup} → ${g.targetGroup}`;
    const state = t?.description ? `${t.description.state}${t.description.members > 0 ? ` (${t.description.members} members)` : ''}` : '-';
    for (const p of g.partitions) {
      const now = t?.current.get(`${p.targetTopic}/${p.partition}`);
      const offset = p.target === undefined ? '?' : `${p.target}${p.basis === 'predicted' ? ' (predicted)' : ''}`;
      rows.push([name, `${p.sourceTopic}/${p.partition}`, String(p.committed), `${p.targetTopic}/${p.partition}`, offset, now === undefined ? '-' : String(now), state]);
    }
  }
  return `${head}\n${table(rows)}`;
}
