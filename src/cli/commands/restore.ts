import { checkMode, requireSection } from '../../config/sections.js';
import { loadConfig } from '../../config/load.js';
import { redactConfig } from '../../config/redact.js';
import { connectSink } from '../../kafka/connect.js';
import { kafkaSettings } from '../../kafka/settings.js';
import { runRestore } from '../../pipeline/restore.js';
import { RestoreProgress, type PartitionOutcome, type RestoreOutcome } from '../../pipeline/restore-progress.js';
import { TransferStats } from '../../pipeline/stats.js';
import { openStorage } from '../../storage/index.js';
import type { CommandContext } from '../context.js';
import { count, table } from '../format.js';
import { renderSummary, startProgress } from '../progress.js';

export interface RestoreOptions {
  /** Read back every segment the restore will read before writing anything. */
  verifyFirst?: boolean;
}

/**
 * `restore`. The result says which partitions are complete, partial (how far they got) and not
 * started, also when the restore fails, so that what a rerun does is clear.
 */
export async function restoreCommand(file: string, opts: RestoreOptions, ctx: CommandContext): Promise<void> {
  const config = await loadConfig(file);
  checkMode(config, 'restore', file);
  const target = requireSection(config, 'target', 'restore', file);
  ctx.log.debug({ config: redactConfig(config) }, 'config loaded');
  const storage = openStorage(config.storage, ctx.log);
  const sink = await connectSink(kafkaSettings(target), ctx.log);
  const stats = new TransferStats();
  const progress = new RestoreProgress();
  const stop = startProgress(stats, 'restore');
  let failure: { err: unknown } | undefined;
  try {
    await runRestore({ config, sink, storage, log: ctx.log, signal: ctx.signal, stats, progress, verifyFirst: opts.verifyFirst === true });
  } catch (err) {
    failure = { err };
  } finally {
    stop();
    await sink.close();
    await storage.close();
  }
  const summary = stats.summary();
  const outcome = progress.outcome();
  const text = failure
    ? stoppedText(config.backup_id, outcome)
    : renderSummary(`Restore of "${config.backup_id}" complete`, summary, { kafka: 'written to Kafka', storage: 'read from storage' });
  ctx.report({ backup_id: config.backup_id, ...summary, ...outcome }, text);
  if (failure) throw failure.err;
}

const NOTES: Record<NonNullable<PartitionOutcome['stopped_by']>, string> = {
  error: 'failed (the error follows)',
  another_partition: 'stopped: another partition failed',
  signal: 'stopped by SIGINT/SIGTERM',
  earlier_run: 'left partial by an earlier run',
};

/** Where each partition stands after a restore that did not finish; undefined before any was planned. */
function stoppedText(id: string, o: RestoreOutcome): string | undefined {
  const all = [...o.complete, ...o.partial, ...o.not_started].sort((a, b) => a.target.localeCompare(b.target, undefined, { numeric: true }));
  if (all.length === 0) return undefined;
  if (o.complete.length + o.partial.length === 0) return `Restore of "${id}" stopped before any partition was started: no records were written to the target (${all.length} partitions not started).`;
  return [
    `Restore of "${id}" stopped: ${o.complete.length} of ${all.length} partitions complete, ${o.partial.length} partial, ${o.not_started.length} not started`,
    table([
      ['TARGET', 'SOURCE', 'STATE', 'RECORDS WRITTEN', 'NEXT SOURCE OFFSET', 'NOTE'],
      ...all.map((p) => [
        p.target,
        p.source,
        p.state.replace('_', ' '),
        count(p.records_written),
        p.next_source_offset === null ? '-' : String(p.next_source_offset),
        p.stopped_by ? NOTES[p.stopped_by] : '',
      ]),
    ]),
    'Run the restore again to resume: complete partitions are skipped, partial ones go on after the records already in the target.',
  ].join('\n');
}
