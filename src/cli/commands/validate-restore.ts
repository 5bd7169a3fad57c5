import { loadConfig } from '../../config/load.js';
import { checkMode, requireSection } from '../../config/sections.js';
import type { Config } from '../../config/types.js';
import { KafkaBackupError, describeError, isKafkaBackupError } from '../../errors.js';
import { connectSink } from '../../kafka/connect.js';
import { kafkaSettings } from '../../kafka/settings.js';
import { countRestoredRecords } from '../../pipeline/restore-count.js';
import { groupPreflight, type GroupChecks } from '../../pipeline/offsets-preflight.js';
import { restoreFilterFor } from '../../pipeline/restore-filter.js';
import { checkRestoreSegments } from '../../pipeline/restore-integrity.js';
import { planRestoreChecked, type RestorePartitionPlan, type RestorePlan } from '../../pipeline/restore-plan.js';
import { PROVENANCE_HEADER_KEYS } from '../../records/provenance.js';
import { partitionKey, preflight, type Preflight } from '../../pipeline/restore-preflight.js';
import { runPool } from '../../pipeline/pool.js';
import { checkTargetLimits } from '../../pipeline/target-checks.js';
import type { TargetLimits } from '../../pipeline/target-limits.js';
import { describeScan, scanPartition } from '../../pipeline/target-scan.js';
import type { StorageBackend } from '../../storage/backend.js';
import { openStorage } from '../../storage/index.js';
import type { CommandContext } from '../context.js';
import { bytes, count, table } from '../format.js';
import { offsetsPlanJson, offsetsPlanText } from '../offsets-report.js';

/**
 * The dry run: everything a restore checks before writing, plus a full read of the segments it
 * would restore, against the real target cluster. Writes nothing. Exits non-zero listing every
 * problem when the restore would fail. With a point-in-time window or offset ranges, each
 * partition's `records` is the exact count the restore would write. The target topics' limits
 * (docs/restore-targets.md) are checked too: refused timestamps, records too large, keyless
 * records for compacted targets, and records retention would delete (a problem here, only a
 * warning for the restore).
 */
export async function validateRestoreCommand(file: string, opts: { quick?: boolean }, ctx: CommandContext): Promise<void> {
  const config = await loadConfig(file);
  checkMode(config, 'restore', file);
  requireSection(config, 'target', 'validate-restore', file);
  const storage = openStorage(config.storage, ctx.log);
  try {
    // Problems of the backup itself and of restore.topics are listed with the others (exit 3).
    const { plan, problems: backup } = await planRestoreChecked(config, storage);
    // An unreachable target is one problem among others: the backup is still checked.
    const { check, groups } = await checkTarget(config, plan, storage, ctx);
    // --quick: the inventory behind the plan already found every listed segment with its size.
    const integrity = opts.quick
      ? { segments: plan.partitions.reduce((n, p) => n + p.manifest.segments.length, 0), problems: [], damaged: new Set<RestorePartitionPlan>() }
      : await checkRestoreSegments(storage, plan.partitions);
    // Limits only the records can break: too large for max.message.bytes, keyless for compaction.
    // Partitions with a damaged segment are not read again: their damage is the problem.
    const scans = await scanTargets(config, plan, check, storage, integrity.damaged);
    const problems = [...backup.selection, ...backup.damage, ...check.problems, ...(groups?.problems ?? []), ...integrity.problems, ...scans.problems];
    check.warnings.push(...scans.warnings.map((message) => ({ topic: '', kind: 'note' as const, message })));
    // With a time window or offsets, `records` is exactly what the restore would write.
    const records = await Promise.all(
      plan.partitions.map(async (p) => {
        const filter = restoreFilterFor(config.restore, p.sourceTopic, p.partition);
        return filter && !integrity.damaged.has(p) ? countRestoredRecords(storage, p.manifest.segments, filter) : p.records;
      }),
    );
    const rows = plan.partitions.map((p, i) => {
      const t = check.partitions.get(partitionKey(p.targetTopic, p.partition));
      const action = !t
        ? 'unknown (target not checked)'
        : t.prior?.state === 'complete'
          ? 'already restored'
          : t.prior
            ? 'resume'
            : t.endOffset === undefined
              ? 'create topic, restore'
              : t.existingRecords > 0
                ? 'append'
                : 'restore';
      const keyless_records = scans.keyless.get(partitionKey(p.targetTopic, p.partition)) ?? null;
      return { source: `${p.sourceTopic}/${p.partition}`, target: `${p.targetTopic}/${p.partition}`, records: records[i]!, bytes: p.rawBytes, stored_bytes: p.storedBytes, action, keyless_records };
    });
    // Config differences have their own place in the report; the other warnings are listed.
    const notes = check.warnings.filter((w) => w.kind !== 'config_differences');
    const report = {
      backup_id: config.backup_id,
      target_cluster_id: check.clusterId || null,
      ok: problems.length === 0,
      // Whether every restored record gets the kafka-backup.source.* headers (not byte-exact then).
      provenance_headers: config.restore.provenance_headers,
      topics: plan.topics.map((t) => {
        const create = check.createTopics.find((c) => c.name === t.targetTopic);
        return {
          source: t.sourceTopic,
          target: t.targetTopic,
          partitions: t.partitions,
          create: create !== undefined,
          // What a created topic gets; null for a topic that exists (or a target not checked).
          replication_factor: create ? (create.replicationFactor ?? null) : null,
          configs: create ? (create.configs ?? {}) : null,
          config_differences: check.configDifferences.find((d) => d.targetTopic === t.targetTopic)?.differences ?? [],
          // The target's limits (docs/restore-targets.md); null when they could not be read.
          limits: limitsJson(check.limits.get(t.targetTopic)),
        };
      }),
      partitions: rows,
      totals: {
        partitions: rows.length,
        records: rows.reduce((n, r) => n + r.records, 0),
        bytes: rows.reduce((n, r) => n + r.bytes, 0),
        segments_checked: integrity.segments,
        // One problem per object: a segment missing, of the wrong size or (not --quick) failing the
        // read-back; a manifest or backup.json missing or unreadable (the backup's inventory).
        segments_damaged: integrity.problems.length + backup.damage.length,
      },
      consumer_groups: groups ? offsetsPlanJson(groups.plan, groups.targets) : null,
      warnings: notes.map((w) => w.message),
      problems,
    };
    ctx.report(
      report,
      [
        `Restore plan for backup ${config.backup_id} into cluster ${check.clusterId || '(unreachable)'}`,
        table([['SOURCE', 'TARGET', 'RECORDS', 'BYTES', 'ACTION'], ...rows.map((r) => [r.source, r.target, count(r.records), bytes(r.bytes), r.action])]),
        `Total: ${count(report.totals.partitions)} partitions, ${count(report.totals.records)} records, ${bytes(report.totals.bytes)}; ${segmentsText(integrity.segments, integrity.problems.length + backup.damage.length, opts.quick === true)}`,
        provenanceText(config),
        createdTopicsText(check),
        configDifferencesText(check),
        groups ? offsetsPlanText(groups.plan, groups.targets) : '',
        notes.length > 0 ? `Warnings:\n${notes.map((w) => `  - ${w.message}`).join('\n')}` : '',
        problems.length === 0 ? 'No problems found: the restore can run.' : '',
      ]
        .filter(Boolean)
        .join('\n'),
    );
    if (problems.length > 0) {
      throw new KafkaBackupError('VALIDATION_FAILED', `the restore would fail:\n  - ${problems.join('\n  - ')}`);
    }
  } finally {
    await storage.close();
  }
}

async function checkTarget(
  config: Config,
  plan: RestorePlan,
  storage: StorageBackend,
  ctx: CommandContext,
): Promise<{ check: CheckedTarget; groups?: GroupChecks | undefined }> {
  const target = config.target!;
  let sink;
  try {
    sink = await connectSink(kafkaSettings(target), ctx.log);
    const check = await preflight(config, plan, sink, storage);
    // A failure of the group checks is one problem; the topic checks above still stand.
    const groups = await groupPreflight(config, plan, storage, sink, check, true).catch((err: unknown) => {
      if (!isKafkaBackupError(err) || !err.code.startsWith('KAFKA_')) throw err;
      check.problems.push(`consumer groups: ${describeError(err)}`);
      return undefined;
    });
    // The dry run fails on records the target's retention would delete; the restore only warns.
    const targets = await checkTargetLimits(config, plan, check, sink, storage);
    check.problems.push(...targets.problems, ...targets.losses.map((l) => `data loss: ${l.message}`));
    check.warnings.push(...targets.warnings);
    check.warnings.push(...(groups?.warnings ?? []).map((message) => ({ topic: '', kind: 'note' as const, message })));
    return { check: { ...check, limits: targets.limits }, groups };
  } catch (err) {
    if (!isKafkaBackupError(err) || !['KAFKA_UNREACHABLE', 'KAFKA_AUTH', 'KAFKA_PROTOCOL'].includes(err.code)) throw err;
    const unreachable: CheckedTarget = {
      clusterId: '',
      createTopics: [],
      partitions: new Map(),
      problems: [`target cluster ${target.bootstrap_servers.join(',')}: ${describeError(err)}`],
      configDifferences: [],
      warnings: [],
      limits: new Map(),
    };
    return { check: unreachable };
  } finally {
    await sink?.close();
  }
}

type CheckedTarget = Preflight & { limits: Map<string, TargetLimits> };

/** Reads the records bound for targets with limits only records can break (pipeline/target-scan.ts). */
async function scanTargets(config: Config, plan: RestorePlan, check: CheckedTarget, storage: StorageBackend, damaged: Set<RestorePartitionPlan>) {
  const problems: string[] = [];
  const warnings: string[] = [];
  const keyless = new Map<string, number>();
  await runPool(plan.partitions.filter((p) => !damaged.has(p)), 4, async (p) => {
    const l = check.limits.get(p.targetTopic);
    if (!l || check.partitions.get(partitionKey(p.targetTopic, p.partition))?.prior?.state === 'complete') return;
    const scan = await scanPartition(config, p, l, storage);
    if (scan.keyless !== undefined) keyless.set(partitionKey(p.targetTopic, p.partition), scan.keyless);
    const found = describeScan(scan, l, config);
    problems.push(...found.problems);
    warnings.push(...found.warnings);
  });
  return { problems: problems.sort(), warnings: warnings.sort(), keyless };
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
function configDifferencesText(check: Preflight): string {
  const rows = check.configDifferences.flatMap((t) => t.differences.map((d) => [t.targetTopic, d.key, d.backup, d.target ?? '(unknown key)']));
  if (rows.length === 0) return '';
  return `Existing topics whose configs differ from the backup (the restore leaves them as they are):\n${table([['TOPIC', 'CONFIG', 'BACKUP', 'TARGET'], ...rows])}`;
}

function provenanceText(config: Config): string {
  return config.restore.provenance_headers
    ? `Provenance headers: every record gets ${PROVENANCE_HEADER_KEYS.join(', ')} after its own headers`
    : 'Provenance headers: none (records restored byte-exact)';
}

/** The topics the restore would create, with what it gives them. */
function createdTopicsText(check: Preflight): string {
  if (check.createTopics.length === 0) return '';
  const lines = check.createTopics.map((t) => {
    const configs = Object.entries(t.configs ?? {}).map(([k, v]) => `${k}=${v}`);
    return (
      `  - ${t.name}: ${t.partitions} partitions, replication factor ${t.replicationFactor ?? '(broker default)'}, ` +
      (configs.length > 0 ? `configs ${configs.join(', ')}` : 'no topic configs (broker defaults)')
    );
  });
  return `Topics to create:\n${lines.join('\n')}`;
}
