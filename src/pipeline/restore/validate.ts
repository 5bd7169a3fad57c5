// The dry run of a restore (`validate-restore`): everything a restore checks before writing
// (checks/), plus a full read of the segments it would restore, against the real target cluster.
// Writes nothing. Every problem is listed, not only the first: the backup's own damage and
// restore.topics names it does not hold (checks/plan.ts), the target's (checks/preflight.ts), the
// consumer groups' (../offsets/preflight.ts), the read-back (checks/integrity.ts) and the target
// limits, also those only the records can break (checks/target-checks.ts, checks/target-scan.ts).
// Records retention would delete are a problem here, only a warning for the restore. An
// unreachable target is one problem among others: the backup is still checked. With a
// point-in-time window or offset ranges, each partition's `records` is the exact count the
// restore would write.
import type { Config } from '../../config/types.js';
import { describeError, isKafkaBackupError } from '../../errors.js';
import type { ConfigDifference } from '../../kafka/topic-configs.js';
import type { KafkaSink } from '../../kafka/sink.js';
import type { StorageBackend } from '../../storage/backend.js';
import { groupPreflight, type GroupChecks } from '../offsets/preflight.js';
import { runPool } from '../shared/pool.js';
import { countRestoredRecords } from './checks/count.js';
import { checkRestoreSegments } from './checks/integrity.js';
import { planRestoreChecked, type RestorePartitionPlan, type RestorePlan } from './checks/plan.js';
import { partitionKey, preflight, type PartitionTargetStatus, type Preflight, type TopicConfigDifferences } from './checks/preflight.js';
import { checkTargetLimits } from './checks/target-checks.js';
import type { TargetLimits } from './checks/target-limits.js';
import { describeScan, scanPartition } from './checks/target-scan.js';
import { restoreFilterFor } from './filter.js';
import type { NewTopic } from '../../kafka/transport.js';

/** An open connection to the target cluster; closed once the target checks are done. */
export interface TargetConnection {
  sink: KafkaSink;
  close(): Promise<void>;
}

export interface ValidateOptions {
  /** Check that segments exist with their sizes (the plan's inventory) instead of reading them all. */
  quick: boolean;
  /** Connects to the target; a failure to connect is a problem of the result, not an error. */
  connect(): Promise<TargetConnection>;
}

/** What the restore would do with a partition, as the report says it. */
export type PartitionAction = 'unknown (target not checked)' | 'already restored' | 'resume' | 'create topic, restore' | 'append' | 'restore';

export interface ValidatedTopic {
  sourceTopic: string;
  targetTopic: string;
  partitions: number;
  /** How the restore would create the topic; undefined for a topic that exists (or a target not checked). */
  create: NewTopic | undefined;
  /** An existing topic's configs that differ from the backup's (the restore leaves them). */
  configDifferences: ConfigDifference[];
  /** The target topic's limits; undefined when they could not be read. */
  limits: TargetLimits | undefined;
}

export interface ValidatedPartition {
  sourceTopic: string;
  targetTopic: string;
  partition: number;
  /** The records the restore would write (exact with a window or offset ranges). */
  records: number;
  rawBytes: number;
  storedBytes: number;
  action: PartitionAction;
  /** Records without a key bound for a compacted target; undefined when not scanned. */
  keylessRecords: number | undefined;
}

export interface RestoreValidation {
  backupId: string;
  /** The target cluster's id; '' when it could not be reached. */
  clusterId: string;
  /** Whether every restored record gets the kafka-backup.source.* headers (not byte-exact then). */
  provenanceHeaders: boolean;
  topics: ValidatedTopic[];
  partitions: ValidatedPartition[];
  segments: {
    /** Segments read back, or with `quick` found with their sizes. */
    checked: number;
    /**
     * One per damaged object: a segment missing, of the wrong size or (not quick) failing the
     * read-back; a manifest or backup.json missing or unreadable (the backup's inventory).
     */
    damaged: number;
  };
  /** The topics the restore would create, in the preflight's order. */
  createTopics: NewTopic[];
  configDifferences: TopicConfigDifferences[];
  /** The consumer groups' plan and checks; undefined without restore.consumer_groups or when they failed. */
  groups: GroupChecks | undefined;
  /** Warnings other than config differences (those have their own place). */
  warnings: string[];
  /** Why the restore would fail; empty when it can run. */
  problems: string[];
}

export async function validateRestore(config: Config, storage: StorageBackend, opts: ValidateOptions): Promise<RestoreValidation> {
  // Problems of the backup itself and of restore.topics are listed with the others.
  const { plan, problems: backup } = await planRestoreChecked(config, storage);
  // An unreachable target is one problem among others: the backup is still checked.
  const { check, groups } = await checkTarget(config, plan, storage, opts);
  // quick: the inventory behind the plan already found every listed segment with its size.
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
  const partitions = plan.partitions.map((p, i): ValidatedPartition => {
    const key = partitionKey(p.targetTopic, p.partition);
    return {
      sourceTopic: p.sourceTopic,
      targetTopic: p.targetTopic,
      partition: p.partition,
      records: records[i]!,
      rawBytes: p.rawBytes,
      storedBytes: p.storedBytes,
      action: actionFor(check.partitions.get(key)),
      keylessRecords: scans.keyless.get(key),
    };
  });
  return {
    backupId: config.backup_id,
    clusterId: check.clusterId,
    provenanceHeaders: config.restore.provenance_headers,
    topics: plan.topics.map((t) => ({
      sourceTopic: t.sourceTopic,
      targetTopic: t.targetTopic,
      partitions: t.partitions,
      create: check.createTopics.find((c) => c.name === t.targetTopic),
      configDifferences: check.configDifferences.find((d) => d.targetTopic === t.targetTopic)?.differences ?? [],
      limits: check.limits.get(t.targetTopic),
    })),
    partitions,
    segments: { checked: integrity.segments, damaged: integrity.problems.length + backup.damage.length },
    createTopics: check.createTopics,
    configDifferences: check.configDifferences,
    groups,
    warnings: check.warnings.filter((w) => w.kind !== 'config_differences').map((w) => w.message),
    problems,
  };
}

function actionFor(t: PartitionTargetStatus | undefined): PartitionAction {
  if (!t) return 'unknown (target not checked)';
  if (t.prior?.state === 'complete') return 'already restored';
  if (t.prior) return 'resume';
  if (t.endOffset === undefined) return 'create topic, restore';
  return t.existingRecords > 0 ? 'append' : 'restore';
}

type CheckedTarget = Preflight & { limits: Map<string, TargetLimits> };

/** The target's checks: preflight, groups, limits. A target that cannot be reached is one problem. */
async function checkTarget(
  config: Config,
  plan: RestorePlan,
  storage: StorageBackend,
  opts: ValidateOptions,
): Promise<{ check: CheckedTarget; groups?: GroupChecks | undefined }> {
  const target = config.target!;
  let conn: TargetConnection | undefined;
  try {
    conn = await opts.connect();
    const sink = conn.sink;
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
    await conn?.close();
  }
}

/** Reads the records bound for targets with limits only records can break (checks/target-scan.ts). */
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
