// Checks the target cluster against a restore plan without writing anything. `restore` runs it
// and stops on any problem; `validate-restore` runs it and reports. Problems are listed all at
// once, each naming the topic or partition.
import type { Config } from '../config/types.js';
import { readRestoreState, type RestoreState } from '../format/restore-state.js';
import type { KafkaSink, NewTopic } from '../kafka/sink.js';
import type { StorageBackend } from '../storage/backend.js';
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

export interface Preflight {
  clusterId: string;
  createTopics: NewTopic[];
  partitions: Map<string, PartitionTargetStatus>;
  problems: string[];
}

export const partitionKey = (topic: string, p: number) => `${topic}/${p}`;

export async function preflight(config: Config, plan: RestorePlan, sink: KafkaSink, storage: StorageBackend): Promise<Preflight> {
  const clusterId = await sink.clusterId();
  const existing = new Map((await sink.topics()).map((t) => [t.name, t.partitions]));
  const problems: string[] = [];
  const createTopics: NewTopic[] = [];
  const seenTargets = new Map<string, string>();
  for (const t of plan.topics) {
    const other = seenTargets.get(t.targetTopic);
    if (other) problems.push(`topics ${other} and ${t.sourceTopic} would both be restored into ${t.targetTopic}`);
    seenTargets.set(t.targetTopic, t.sourceTopic);
    const have = existing.get(t.targetTopic);
    if (have === undefined) {
      if (config.restore.create_topics) {
        createTopics.push({
          name: t.targetTopic,
          partitions: t.partitions,
          ...(config.restore.replication_factor ? { replicationFactor: config.restore.replication_factor } : {}),
        });
      } else {
        problems.push(`target topic ${t.targetTopic} does not exist and restore.create_topics is false`);
      }
    } else if (have < t.partitions) {
      problems.push(`target topic ${t.targetTopic} has ${have} partitions, fewer than the ${t.partitions} of ${t.sourceTopic} in the backup`);
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
  return { clusterId, createTopics, partitions, problems: problems.sort() };
}
