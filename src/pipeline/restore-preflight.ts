// Checks the target cluster against a restore plan without writing anything. `restore` runs it
// and stops on any problem; `validate-restore` runs it and reports. Problems are listed all at
// once, each naming the topic or partition. Warnings (config differences of existing topics, a
// lowered replication factor) do not stop the restore.
import type { Config } from '../config/types.js';
import { isKafkaBackupError, describeError } from '../errors.js';
import { readRestoreState, type RestoreState } from '../format/restore-state.js';
import type { KafkaSink } from '../kafka/sink.js';
import type { NewTopic } from '../kafka/transport.js';
import {
  chooseReplicationFactor,
  configDifferences,
  desiredConfigs,
  minInsyncProblem,
  type ConfigDifference,
} from '../kafka/topic-configs.js';
import type { StorageBackend } from '../storage/backend.js';
import { checkRestoreAuthorization, createRefusalProblem } from './restore-authorization.js';
import type { RestorePlan } from './restore-plan.js';
import { runPool } from './pool.js';

export interface PartitionTargetStatus {
  targetTopic: string;
  partition: number;
  /** The target partition's current end, or undefined when the topic does not exist yet. */
  endOffset: number | undefined;
  /** Records the target partition holds now (end − start). */
  existingRecords: number;
  /** State left by an earlier restore of this partition into this cluster. */
  prior: RestoreState | undefined;
  priorEtag: string | undefined;
}

export interface TopicConfigDifferences {
  sourceTopic: string;
  targetTopic: string;
  differences: ConfigDifference[];
}

export interface PreflightWarning {
  topic: string;
  /** config_differences: the same facts as `Preflight.configDifferences`, as a sentence for the log. */
  kind: 'config_differences' | 'note';
  message: string;
}

export interface Preflight {
  clusterId: string;
  createTopics: NewTopic[];
  partitions: Map<string, PartitionTargetStatus>;
  problems: string[];
  /** Existing target topics whose configs differ from the backup's (after overrides). */
  configDifferences: TopicConfigDifferences[];
  warnings: PreflightWarning[];
}

export const partitionKey = (topic: string, p: number) => `${topic}/${p}`;

export async function preflight(config: Config, plan: RestorePlan, sink: KafkaSink, storage: StorageBackend): Promise<Preflight> {
  const clusterId = await sink.clusterId();
  const existing = new Map((await sink.topics()).map((t) => [t.name, t.partitions]));
  const problems: string[] = [];
  const warnings: PreflightWarning[] = [];
  const createTopics: NewTopic[] = [];
  const toCompare: { sourceTopic: string; targetTopic: string; configs: Record<string, string> }[] = [];
  const seenTargets = new Map<string, string>();
  /** Topics to create that already have a problem: not asked about again. */
  const unfit = new Set<string>();
  const opts = config.restore;
  const admin = sink.topicAdmin;
  const creates = opts.create_topics && plan.topics.some((t) => !existing.has(t.targetTopic));
  const brokers = creates && admin ? await admin.brokerCount() : undefined;
  for (const t of plan.topics) {
    const other = seenTargets.get(t.targetTopic);
    if (other) problems.push(`topics ${other} and ${t.sourceTopic} would both be restored into ${t.targetTopic}`);
    seenTargets.set(t.targetTopic, t.sourceTopic);
    const captured = plan.descriptor?.topics.find((d) => d.name === t.sourceTopic);
    const { configs, skipped } = desiredConfigs(captured?.configs, opts.config_overrides, opts.topic_configs);
    const have = existing.get(t.targetTopic);
    if (have === undefined) {
      if (opts.create_topics) {
        const rf = chooseReplicationFactor({
          ...(opts.replication_factor !== undefined ? { configured: opts.replication_factor } : {}),
          ...(opts.topic_configs && captured?.replication_factor !== undefined ? { captured: captured.replication_factor } : {}),
          ...(brokers !== undefined ? { brokers } : {}),
        });
        if (rf.problem) problems.push(`target topic ${t.targetTopic}: ${rf.problem}`);
        if (rf.problem) unfit.add(t.targetTopic);
        if (rf.note) warnings.push({ topic: t.targetTopic, kind: 'note', message: `creating ${t.targetTopic}: ${rf.note}` });
        const insync = minInsyncProblem(configs, rf.replicationFactor);
        if (insync) problems.push(`target topic ${t.targetTopic}: ${insync}`);
        if (insync) unfit.add(t.targetTopic);
        for (const s of skipped) warnings.push({ topic: t.targetTopic, kind: 'note', message: `creating ${t.targetTopic} without ${s.key}=${s.value} of the backup: ${s.reason}` });
        createTopics.push({
          name: t.targetTopic,
          partitions: t.partitions,
          ...(rf.replicationFactor !== undefined ? { replicationFactor: rf.replicationFactor } : {}),
          ...(Object.keys(configs).length > 0 ? { configs } : {}),
        });
      } else {
        problems.push(`target topic ${t.targetTopic} does not exist and restore.create_topics is false`);
      }
    } else {
      if (have < t.partitions) {
        problems.push(`target topic ${t.targetTopic} has ${have} partitions, fewer than the ${t.partitions} of ${t.sourceTopic} in the backup`);
      }
      if (Object.keys(configs).length > 0) toCompare.push({ sourceTopic: t.sourceTopic, targetTopic: t.targetTopic, configs });
    }
  }
  const access = await checkRestoreAuthorization(sink.access, {
    existing: plan.topics.map((t) => t.targetTopic).filter((t) => existing.has(t)),
    create: createTopics.map((t) => t.name),
    compareConfigs: toCompare.map((t) => t.targetTopic),
  });
  problems.push(...access.problems);
  for (const n of access.notes) warnings.push({ ...n, kind: 'note' });
  for (const t of access.cannotCreate) unfit.add(t);
  const configDiffs = admin ? await compareConfigs(admin, toCompare.filter((t) => !access.cannotDescribeConfigs.has(t.targetTopic)), warnings) : [];
  if (admin) {
    const refused = await admin.validateNewTopics(createTopics.filter((t) => !unfit.has(t.name)));
    for (const [topic, reason] of refused) {
      problems.push(
        createRefusalProblem(sink.access?.principal, topic, reason) ??
          `target topic ${topic} cannot be created as the backup describes it: ${reason} ` +
            '(restore.config_overrides changes a config or drops it with null; restore.replication_factor sets the replication factor)',
      );
    }
  }

  const partitions = new Map<string, PartitionTargetStatus>();
  await runPool(plan.partitions, 16, async (p) => {
    const prior = await readRestoreState(storage, config.backup_id, clusterId, p.targetTopic, p.partition);
    let endOffset: number | undefined;
    let existingRecords = 0;
    if (existing.has(p.targetTopic) && (existing.get(p.targetTopic) ?? 0) > p.partition) {
      const o = (await sink.offsets(p.targetTopic, [p.partition])).get(p.partition)!;
      endOffset = o.latest;
      existingRecords = o.latest - o.earliest;
    }
    const where = `${p.targetTopic}/${p.partition}`;
    if (prior && prior.state.state === 'in_progress' && endOffset !== undefined && endOffset < prior.state.target_start_offset) {
      problems.push(
        `${where} ends at offset ${endOffset}, before the offset ${prior.state.target_start_offset} an earlier restore started at: ` +
          'the topic was deleted or truncated since; remove the restore state under restores/ to start over',
      );
    } else if (!prior && existingRecords > 0 && !config.restore.allow_append) {
      problems.push(`${where} already holds ${existingRecords} records; set restore.allow_append: true to restore after them`);
    }
    partitions.set(partitionKey(p.targetTopic, p.partition), {
      targetTopic: p.targetTopic,
      partition: p.partition,
      endOffset,
      existingRecords,
      prior: prior?.state,
      priorEtag: prior?.etag,
    });
  });
  return { clusterId, createTopics, partitions, problems: problems.sort(), configDifferences: configDiffs, warnings };
}

/**
 * The differences between what the restore would give each existing target topic and what it has.
 * They are warnings, not problems: the restore does not change an existing topic's configs.
 */
async function compareConfigs(
  admin: NonNullable<KafkaSink['topicAdmin']>,
  topics: { sourceTopic: string; targetTopic: string; configs: Record<string, string> }[],
  warnings: PreflightWarning[],
): Promise<TopicConfigDifferences[]> {
  if (topics.length === 0) return [];
  let described;
  try {
    described = new Map((await admin.describeTopics([...new Set(topics.map((t) => t.targetTopic))])).map((d) => [d.name, d]));
  } catch (err) {
    // A restore user without DescribeConfigs permission can still restore.
    if (!isKafkaBackupError(err, 'KAFKA_AUTH')) throw err;
    for (const t of topics) warnings.push({ topic: t.targetTopic, kind: 'note', message: `cannot compare the configs of ${t.targetTopic} with the backup: ${describeError(err)}` });
    return [];
  }
  const out: TopicConfigDifferences[] = [];
  for (const t of topics) {
    const differences = configDifferences(t.configs, described.get(t.targetTopic)?.configs ?? []);
    if (differences.length === 0) continue;
    out.push({ sourceTopic: t.sourceTopic, targetTopic: t.targetTopic, differences });
    const list = differences.map((d) => `${d.key}: backup ${d.backup}, target ${d.target ?? '(unknown key)'}`).join('; ');
    warnings.push({ topic: t.targetTopic, kind: 'config_differences', message: `target topic ${t.targetTopic} exists with configs that differ from the backup (left as they are): ${list}` });
  }
  return out;
}
