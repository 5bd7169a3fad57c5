// `offsets plan` and `offsets apply` (src/pipeline/offsets/offsets.ts): plan shows the captured
// offsets translated to the target, apply commits them. Both exit non-zero listing what stands in
// the way.
import { groupPatternError } from '../../config/groups.js';
import { loadConfig } from '../../config/load.js';
import { checkMode, requireSection } from '../../config/sections.js';
import { KafkaBackupError } from '../../errors.js';
import { connectSink } from '../../kafka/connect.js';
import { kafkaSettings } from '../../kafka/settings.js';
import { applyOffsets, planOffsets } from '../../pipeline/offsets/offsets.js';
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
    if (action === 'plan') {
      const checked = await planOffsets(config, storage, sink, groups);
      const { plan } = checked;
      const warnings = checked.warnings.map((w) => `Warning: ${w}`);
      ctx.report(
        { ...offsetsPlanJson(plan, checked.targets), warnings: checked.warnings, problems: checked.problems },
        [offsetsPlanText(plan, checked.targets), ...warnings, checked.problems.length === 0 ? 'Ready: `kafka-backup offsets apply` commits this plan.' : ''].filter(Boolean).join('\n'),
      );
      if (checked.problems.length > 0) {
        throw new KafkaBackupError('VALIDATION_FAILED', `the offsets cannot be applied now:\n  - ${checked.problems.join('\n  - ')}`);
      }
      return;
    }
    const { checked, result, problems, targets } = await applyOffsets(config, storage, sink, { groups, force: opts.force === true, log: ctx.log });
    const { plan } = checked;
    const warnings = checked.warnings.map((w) => `Warning: ${w}`);
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
