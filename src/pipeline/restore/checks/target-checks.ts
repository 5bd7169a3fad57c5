// The checks of a restore against its target topics' limits that need no record written
// (docs/restore-targets.md), shared by `restore` (before writing anything) and `validate-restore`:
// - CreateTime targets refuse records older than now − message.timestamp.before.max.ms or newer
//   than now + message.timestamp.after.max.ms (INVALID_TIMESTAMP): problems;
// - a delete-policy target deletes records older than now − retention.ms soon after the restore:
//   losses (the restore warns and goes on, validate-restore fails);
// - LogAppendTime targets replace the restored timestamps: warnings, and no timestamp checks.
// The timestamps judged are the oldest and newest the restore writes per target topic
// (time-range.ts), honouring the point-in-time window and offset ranges.
import type { Config } from '../../../config/types.js';
import type { KafkaSink } from '../../../kafka/sink.js';
import type { StorageBackend } from '../../../storage/backend.js';
import { restoreFilterFor } from '../filter.js';
import type { RestorePlan } from './plan.js';
import { partitionKey, type Preflight, type PreflightWarning } from './preflight.js';
import { boundTimeRange, exactTimeRange, type TimeRange } from './time-range.js';
import { targetLimits, type TargetLimits } from './target-limits.js';

export interface TargetChecks {
  limits: Map<string, TargetLimits>;
  /** The restore would fail: it refuses to start. */
  problems: string[];
  /** Records the target would delete right after the restore. */
  losses: { topic: string; message: string }[];
  warnings: PreflightWarning[];
}

const iso = (t: number) => new Date(t).toISOString();

/** How to change one config of a target topic, for the message. */
function fixFor(l: TargetLimits, key: string, value: string): string {
  const change =
    l.origin === 'created'
      ? `set restore.config_overrides: {"${key}": "${value}"}`
      : `alter the topic (kafka-configs --alter --entity-type topics --entity-name ${l.topic} --add-config ${key}=${value})`;
  return `${change}, or restore a narrower window (restore.time_window_start / time_window_end)`;
}

/** Problems, losses and warnings of one target topic that receives timestamps in `range`. */
export function judgeTimestamps(l: TargetLimits, range: TimeRange | undefined, now: number): Omit<TargetChecks, 'limits'> {
  const out: Omit<TargetChecks, 'limits'> = { problems: [], losses: [], warnings: [] };
  if (l.logAppendTime) {
    out.warnings.push({
      topic: l.topic,
      kind: 'note',
      message:
        `target topic ${l.topic} ${l.origin === 'created' ? 'would be created with' : 'has'} message.timestamp.type LogAppendTime: the broker gives every restored record ` +
        `the time of the restore instead of its original timestamp; ${l.origin === 'created' ? 'set restore.config_overrides: {message.timestamp.type: CreateTime}' : `alter the topic to message.timestamp.type=CreateTime`} to keep the originals`,
    });
    return out;
  }
  if (!range) return out;
  if (l.beforeMaxMs !== undefined && range.min < now - l.beforeMaxMs) {
    out.problems.push(
      `target topic ${l.topic} refuses records older than message.timestamp.before.max.ms=${l.beforeMaxMs} (before ${iso(now - l.beforeMaxMs)} now): ` +
        `the restore would write one from ${iso(range.min)} (${range.min}); ${fixFor(l, 'message.timestamp.before.max.ms', '9223372036854775807')}`,
    );
  }
  if (l.afterMaxMs !== undefined && range.max > now + l.afterMaxMs) {
    out.problems.push(
      `target topic ${l.topic} refuses records newer than message.timestamp.after.max.ms=${l.afterMaxMs} (after ${iso(now + l.afterMaxMs)} now): ` +
        `the restore would write one from ${iso(range.max)} (${range.max}); ${fixFor(l, 'message.timestamp.after.max.ms', '9223372036854775807')}`,
    );
  }
  if (l.retentionMs !== undefined && range.min < now - l.retentionMs) {
    out.losses.push({
      topic: l.topic,
      message: `target topic ${l.topic} deletes records older than retention.ms=${l.retentionMs} (before ${iso(now - l.retentionMs)} now), soon after the restore: ` +
        `the restore would write records from ${iso(range.min)} on; ${fixFor(l, 'retention.ms', '-1')}`,
    });
  }
  return out;
}

/** Whether a range can break a limit of l (then the exact range is worth reading). */
function crosses(l: TargetLimits, r: TimeRange, now: number): boolean {
  if (l.logAppendTime) return false;
  return (
    (l.beforeMaxMs !== undefined && r.min < now - l.beforeMaxMs) ||
    (l.afterMaxMs !== undefined && r.max > now + l.afterMaxMs) ||
    (l.retentionMs !== undefined && r.min < now - l.retentionMs)
  );
}

/**
 * Reads the limits of every target topic (after preflight, which decided what is created) and
 * judges the timestamps the restore would write against them.
 */
export async function checkTargetLimits(
  config: Config,
  plan: RestorePlan,
  check: Preflight,
  sink: Pick<KafkaSink, 'topicAdmin'>,
  storage: StorageBackend,
  now = Date.now(),
): Promise<TargetChecks> {
  const created = new Set(check.createTopics.map((t) => t.name));
  const existing = [...new Set(plan.topics.map((t) => t.targetTopic))].filter((t) => !created.has(t));
  const { limits, notes } = await targetLimits(sink.topicAdmin, existing, check.createTopics);
  const out: TargetChecks = { limits, problems: [], losses: [], warnings: notes.map((n) => ({ ...n, kind: 'note' as const })) };
  for (const topic of [...new Set(plan.topics.map((t) => t.targetTopic))]) {
    const l = limits.get(topic);
    if (!l) continue;
    // A partition an earlier run restored completely is not written again.
    const parts = plan.partitions.filter((p) => p.targetTopic === topic && check.partitions.get(partitionKey(topic, p.partition))?.prior?.state !== 'complete');
    let range: TimeRange | undefined;
    for (const p of parts) {
      const filter = restoreFilterFor(config.restore, p.sourceTopic, p.partition);
      let r = boundTimeRange(p.manifest.segments, filter);
      if (r && crosses(l, r, now)) r = await exactTimeRange(storage, p.manifest.segments, filter);
      if (r) range = range ? { min: Math.min(range.min, r.min), max: Math.max(range.max, r.max) } : r;
    }
    const judged = judgeTimestamps(l, range, now);
    out.problems.push(...judged.problems);
    out.losses.push(...judged.losses);
    out.warnings.push(...judged.warnings);
  }
  return out;
}
