// `offsets plan` and `offsets apply`: the consumer-group part of a restore on its own. plan shows
// the captured offsets translated to the target (from the restore states the target has, or
// predicted for partitions not restored yet); apply commits the groups that are fully restored and
// have no active members on the target. Both exit non-zero listing whatever stands in the way.
import { loadConfig } from '../../config/load.js';
import { checkMode, requireSection } from '../../config/sections.js';
import { KafkaBackupError } from '../../errors.js';
import { connectKafka } from '../../kafka/connection.js';
import { RawKafkaSink } from '../../kafka/kafka-sink.js';
import { kafkaSettings } from '../../kafka/settings.js';
import { applyGroupOffsets, describeTargetGroups, groupProblem } from '../../pipeline/offsets-apply.js';
import { restoredOffsetsPlan } from '../../pipeline/offsets-preflight.js';
import { planRestore } from '../../pipeline/restore-plan.js';
import { openStorage } from '../../storage/index.js';
import type { CommandContext } from '../context.js';
import { offsetsPlanJson, offsetsPlanText } from '../offsets-report.js';

export async function offsetsCommand(action: 'plan' | 'apply', file: string, opts: { group?: string[] }, ctx: CommandContext): Promise<void> {
  const config = await loadConfig(file);
  checkMode(config, 'restore', file);
  const target = requireSection(config, 'target', `offsets ${action}`, file);
  const groups = opts.group && opts.group.length > 0 ? opts.group : config.restore.consumer_groups;
  if (groups.length === 0) {
    throw new KafkaBackupError('USAGE', `no consumer groups selected: set restore.consumer_groups in ${file} or pass --group (e.g. --group '*')`);
  }
  const storage = openStorage(config.storage, ctx.log);
  const conn = await connectKafka(kafkaSettings(target), ctx.log);
  try {
    const sink = new RawKafkaSink(conn, ctx.log);
    const plan = await restoredOffsetsPlan(config, await planRestore(config, storage), storage, sink, groups);
    if (action === 'apply') {
      const result = await applyGroupOffsets(plan, sink.groupAdmin, ctx.log);
      const targets = await describeTargetGroups(plan, sink.groupAdmin);
      if (ctx.json) ctx.out(JSON.stringify({ ...offsetsPlanJson(plan, targets), committed: result.committed, problems: result.problems }));
      else {
        const done = result.committed.map((c) => `  - ${c.group}: ${c.partitions} partitions`);
        ctx.out([offsetsPlanText(plan, targets), done.length > 0 ? `Committed:\n${done.join('\n')}` : 'Nothing committed.'].join('\n'));
      }
      if (result.problems.length > 0) {
        throw new KafkaBackupError('RESTORE_CONFLICT', `consumer-group offsets not committed:\n  - ${result.problems.join('\n  - ')}`);
      }
      return;
    }
    const targets = await describeTargetGroups(plan, sink.groupAdmin);
    const problems = [...plan.problems];
    for (const g of plan.groups) {
      const p = groupProblem(g, targets.get(g.targetGroup), true);
      if (p) problems.push(p);
    }
    if (ctx.json) ctx.out(JSON.stringify({ ...offsetsPlanJson(plan, targets), problems }));
    else ctx.out([offsetsPlanText(plan, targets), problems.length === 0 ? 'Ready: `kafka-backup offsets apply` commits this plan.' : ''].filter(Boolean).join('\n'));
    if (problems.length > 0) {
      throw new KafkaBackupError('VALIDATION_FAILED', `the offsets cannot be applied now:\n  - ${problems.join('\n  - ')}`);
    }
  } finally {
    await conn.close();
    await storage.close();
  }
}
