// What the produce batcher must know of the target partition to write only batches its topic
// accepts (docs/restore-targets.md), and the errors that stop a restore when a record cannot be.
import type { Config } from '../../config/types.js';
import { KafkaBackupError } from '../../errors.js';
import type { TargetLimits } from './checks/target-limits.js';

export interface BatchTarget {
  topic: string;
  partition: number;
  /** The topic's max.message.bytes: the most bytes one produced batch may have (log overhead included). */
  maxBytes: number;
  /**
   * Set for a compacted topic, which refuses records without a key: 'fail' stops the restore at the
   * first one, 'skip' leaves them out (restore.keyless_records).
   */
  keyless?: 'fail' | 'skip';
}

/** A record that makes a batch larger than max.message.bytes on its own: it cannot be restored. */
export function recordTooLargeError(target: BatchTarget | undefined, offset: number, bytes: number): KafkaBackupError {
  const where = target ? `${target.topic}/${target.partition}` : 'the target partition';
  return new KafkaBackupError(
    'RESTORE_TARGET_LIMIT',
    `${where}: the record at source offset ${offset} needs a ${bytes}-byte batch on its own, more than max.message.bytes ` +
      `${target?.maxBytes ?? '(unknown)'} of the target topic, which would refuse it; nothing of its batch was produced ` +
      '(raise max.message.bytes: kafka-configs --alter for an existing topic, restore.config_overrides for one the restore creates)',
    { topic: target?.topic, partition: target?.partition, sourceOffset: offset, bytes, limit: target?.maxBytes },
  );
}

/** A record without a key bound for a compacted topic, with restore.keyless_records: fail. */
export function keylessError(target: BatchTarget, offset: number, inBatch: number): KafkaBackupError {
  return new KafkaBackupError(
    'RESTORE_TARGET_LIMIT',
    `${target.topic}/${target.partition}: the record at source offset ${offset} has no key (${inBatch} such record${inBatch === 1 ? '' : 's'} in its batch), ` +
      `and ${target.topic} is compacted (cleanup.policy compact), which refuses records without a key; nothing of its batch was produced ` +
      '(restore.keyless_records: skip leaves them out; or restore into a topic that is not compacted)',
    { topic: target.topic, partition: target.partition, sourceOffset: offset, keylessInBatch: inBatch },
  );
}

/** The batcher's view of a target partition, from its topic's limits (none when they are unknown). */
export function batchTargetFor(
  config: Config,
  p: { targetTopic: string; partition: number },
  limits: Pick<TargetLimits, 'maxMessageBytes' | 'compacted'> | undefined,
): BatchTarget | undefined {
  if (!limits) return undefined;
  return {
    topic: p.targetTopic,
    partition: p.partition,
    maxBytes: limits.maxMessageBytes ?? Number.MAX_SAFE_INTEGER,
    ...(limits.compacted ? { keyless: config.restore.keyless_records } : {}),
  };
}
