import { loadConfig } from '../../config/load.js';
import { checkMode, requireSection } from '../../config/sections.js';
import { KafkaBackupError } from '../../errors.js';
import { connectSink } from '../../kafka/connect.js';
import { kafkaSettings } from '../../kafka/settings.js';
import type { TargetLimits } from '../../pipeline/restore/checks/target-limits.js';
import { validateRestore, type RestoreValidation } from '../../pipeline/restore/validate.js';
import { PROVENANCE_HEADER_KEYS } from '../../records/provenance.js';
import { openStorage } from '../../storage/index.js';
import type { CommandContext } from '../context.js';
import { bytes, count, table } from '../format.js';
import { offsetsPlanJson, offsetsPlanText } from '../offsets-report.js';

/**
 * `validate-restore`, the dry run (src/pipeline/restore/validate.ts): prints what a restore would
 * do and every problem that would stop it, and exits non-zero (3) when there is one. Writes nothing.
 */
export async function validateRestoreCommand(file: string, opts: { quick?: boolean }, ctx: CommandContext): Promise<void> {
  const config = await loadConfig(file);
  checkMode(config, 'restore', file);
  const target = requireSection(config, 'target', 'validate-restore', file);
  const storage = openStorage(config.storage, ctx.log);
  try {
    const quick = opts.quick === true;
    const v = await validateRestore(config, storage, {
      quick,
      connect: async () => {
        const sink = await connectSink(kafkaSettings(target), ctx.log);
        return { sink, close: () => sink.close() };
      },
    });
    const rows = v.partitions.map((p) => ({
      source: `${p.sourceTopic}/${p.partition}`,
      target: `${p.targetTopic}/${p.partition}`,
      records: p.records,
      bytes: p.rawBytes,
      stored_bytes: p.storedBytes,
      action: p.action,
      keyless_records: p.keylessRecords ?? null,
    }));
    const report = {
      backup_id: v.backupId,
      target_cluster_id: v.clusterId || null,
      ok: v.problems.length === 0,
      // Whether every restored record gets the kafka-backup.source.* headers (not byte-exact then).
      provenance_headers: v.provenanceHeaders,
      topics: v.topics.map((t) => ({
        source: t.sourceTopic,
        target: t.targetTopic,
        partitions: t.partitions,
        create: t.create !== undefined,
        // What a created topic gets; null for a topic that exists (or a target not checked).
        replication_factor: t.create ? (t.create.replicationFactor ?? null) : null,
        configs: t.create ? (t.create.configs ?? {}) : null,
        config_differences: t.configDifferences,
        // The target's limits (docs/restore-targets.md); null when they could not be read.
        limits: limitsJson(t.limits),
      })),
      partitions: rows,
      totals: {
        partitions: rows.length,
        records: rows.reduce((n, r) => n + r.records, 0),
        bytes: rows.reduce((n, r) => n + r.bytes, 0),
        segments_checked: v.segments.checked,
        // One problem per object: a segment missing, of the wrong size or (not --quick) failing the
        // read-back; a manifest or backup.json missing or unreadable (the backup's inventory).
        segments_damaged: v.segments.damaged,
      },
      consumer_groups: v.groups ? offsetsPlanJson(v.groups.plan, v.groups.targets) : null,
      warnings: v.warnings,
      problems: v.problems,
    };
    ctx.report(
      report,
      [
        `Restore plan for backup ${v.backupId} into cluster ${v.clusterId || '(unreachable)'}`,
        table([['SOURCE', 'TARGET', 'RECORDS', 'BYTES', 'ACTION'], ...rows.map((r) => [r.source, r.target, count(r.records), bytes(r.bytes), r.action])]),
        `Total: ${count(report.totals.partitions)} partitions, ${count(report.totals.records)} records, ${bytes(report.totals.bytes)}; ${segmentsText(v.segments.checked, v.segments.damaged, quick)}`,
        provenanceText(v),
        createdTopicsText(v),
        configDifferencesText(v),
        v.groups ? offsetsPlanText(v.groups.plan, v.groups.targets) : '',
        v.warnings.length > 0 ? `Warnings:\n${v.warnings.map((w) => `  - ${w}`).join('\n')}` : '',
        v.problems.length === 0 ? 'No problems found: the restore can run.' : '',
      ]
        .filter(Boolean)
        .join('\n'),
    );
    if (v.problems.length > 0) {
      throw new KafkaBackupError('VALIDATION_FAILED', `the restore would fail:\n  - ${v.problems.join('\n  - ')}`);
    }
  } finally {
    await storage.close();
  }
}

function limitsJson(l: TargetLimits | undefined) {
  if (!l) return null;
  return {
    max_message_bytes: l.maxMessageBytes ?? null,
    timestamp_type: l.logAppendTime ? 'LogAppendTime' : 'CreateTime',
    timestamp_before_max_ms: l.beforeMaxMs ?? null,
    timestamp_after_max_ms: l.afterMaxMs ?? null,
    compacted: l.compacted,
    retention_ms: l.retentionMs ?? null,
  };
}

/** What the segment check found, never claiming more than it did. */
function segmentsText(segments: number, damaged: number, quick: boolean): string {
  if (quick) return damaged === 0 ? `${segments} segments found` : `${segments} segments checked, ${damaged} missing or the wrong size`;
  return damaged === 0 ? `${segments} segments read and verified` : `${segments} segments read, ${damaged} damaged or missing`;
}

/** Existing target topics whose configs differ from the backup's: a table, or nothing. */
function configDifferencesText(v: RestoreValidation): string {
  const rows = v.configDifferences.flatMap((t) => t.differences.map((d) => [t.targetTopic, d.key, d.backup, d.target ?? '(unknown key)']));
  if (rows.length === 0) return '';
  return `Existing topics whose configs differ from the backup (the restore leaves them as they are):\n${table([['TOPIC', 'CONFIG', 'BACKUP', 'TARGET'], ...rows])}`;
}

function provenanceText(v: RestoreValidation): string {
  return v.provenanceHeaders
    ? `Provenance headers: every record gets ${PROVENANCE_HEADER_KEYS.join(', ')} after its own headers`
    : 'Provenance headers: none (records restored byte-exact)';
}

/** The topics the restore would create, with what it gives them. */
function createdTopicsText(v: RestoreValidation): string {
  if (v.createTopics.length === 0) return '';
  const lines = v.createTopics.map((t) => {
    const configs = Object.entries(t.configs ?? {}).map(([k, value]) => `${k}=${value}`);
    return (
      `  - ${t.name}: ${t.partitions} partitions, replication factor ${t.replicationFactor ?? '(broker default)'}, ` +
      (configs.length > 0 ? `configs ${configs.join(', ')}` : 'no topic configs (broker defaults)')
    );
  });
  return `Topics to create:\n${lines.join('\n')}`;
}
