// `offsets plan` and `offsets apply`: the consumer-group part of a restore on its own. plan shows
// the captured offsets translated to the target (from the restore states the target has, or
// predicted for partitions not restored yet); apply commits the groups that are fully restored,
// may be read by the principal and have no active members on the target, and were not committed
// from the same capture before (unless --force). Both exit non-zero listing what stands in the way.
import { groupPatternError } from '../../config/groups.js';
import { loadConfig } from '../../config/load.js';
import { checkMode, requireSection } from '../../config/sections.js';
import { KafkaBackupError } from '../../errors.js';
import { connectSink } from '../../kafka/connect.js';
import { kafkaSettings } from '../../kafka/settings.js';
import { applyGroupOffsets, describeTargetGroups } from '../../pipeline/offsets-apply.js';
import { checkGroups, restoredOffsetsPlan } from '../../pipeline/offsets-preflight.js';
import { planRestore } from '../../pipeline/restore-plan.js';
import { openStorage } from '../../storage/index.js';
import type { CommandContext } from '../context.js';
import { offsetsPlanJson, offsetsPlanText } from '../offsets-report.js';

export interface OffsetsOptions {
  group?: string[];
  force?: boolean;
}

export async function offsetsCommand(action: 'plan' | 'apply', file: string, opts: OffsetsOptions, ctx: CommandContext): Promise<void> {
  const config = await loadConfig(file);
  checkMode(config, 'restore', file);
  const target = requireSection(config, 'target', `offsets ${action}`, file);
  const invalid = (opts.group ?? []).flatMap((entry) => {
    const error = groupPatternError(entry);
    return error === undefined ? [] : [`--group ${JSON.stringify(entry)}: ${error}`];
  });
  if (invalid.length > 0) throw new KafkaBackupError('USAGE', invalid.join('; '));
  const groups = opts.group && opts.group.length > 0 ? opts.group : config.restore.consumer_groups;
  if (groups.length === 0) {
    throw new KafkaBackupError('USAGE', `no consumer groups selected: set restore.consumer_groups in ${file} or pass --group (e.g. --group '*')`);
  }
  const storage = openStorage(config.storage, ctx.log);
  const sink = await connectSink(kafkaSettings(target), ctx.log);
  try {
    const plan = await restoredOffsetsPlan(config, await planRestore(config, storage), storage, sink, { groups });
    const checked = await checkGroups(plan, sink, 'apply');
    const warnings = checked.warnings.map((w) => `Warning: ${w}`);
    if (action === 'plan') {
      ctx.report(
        { ...offsetsPlanJson(plan, checked.targets), warnings: checked.warnings, problems: checked.problems },
        [offsetsPlanText(plan, checked.targets), ...warnings, checked.problems.length === 0 ? 'Ready: `kafka-backup offsets apply` commits this plan.' : ''].filter(Boolean).join('\n'),
      );
      if (checked.problems.length > 0) {
        throw new KafkaBackupError('VALIDATION_FAILED', `the offsets cannot be applied now:\n  - ${checked.problems.join('\n  - ')}`);
      }
      return;
    }
    // Groups the principal may not READ are not tried; applyGroupOffsets checks the rest itself.
    const readable = { ...plan, groups: plan.groups.filter((g) => !checked.refused.has(g.targetGroup)) };
    const result = await applyGroupOffsets(readable, sink.groupAdmin, { storage, backupId: config.backup_id, clusterId: await sink.clusterId(), force: opts.force === true, log: ctx.log });
    const problems = [...checked.refused.values(), ...result.problems];
    const targets = await describeTargetGroups(plan, sink.groupAdmin).catch(() => checked.targets);
    const done = result.committed.map((c) => `  - ${c.group}: ${c.partitions} partitions`);
    const same = result.unchanged.map((g) => `  - ${g} (already committed from this capture; --force commits it again)`);
    ctx.report(
      { ...offsetsPlanJson(plan, targets), committed: result.committed, unchanged: result.unchanged, warnings: checked.warnings, problems },
      [offsetsPlanText(plan, targets), ...warnings, done.length > 0 ? `Committed:\n${done.join('\n')}` : 'Nothing committed.', same.length > 0 ? `Left as they are:\n${same.join('\n')}` : '']
        .filter(Boolean)
        .join('\n'),
    );
    if (problems.length > 0) {
      throw new KafkaBackupError('RESTORE_CONFLICT', `consumer-group offsets not committed:\n  - ${problems.join('\n  - ')}`);
    }
  } finally {
    await sink.close();
    await storage.close();
  }
}
