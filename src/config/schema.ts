// The config file's schema: the single source of truth for keys, types, defaults and
// descriptions (docs/configuration.md is generated from it by docs.ts). Every object is strict, so
// a misspelt key is an error. Parsing with it applies defaults and resolves units; load.ts then
// normalizes paths and runs the cross-field rules of rules.ts.

import { z } from 'zod';
import type { CodecName } from '../codec/codec.js';
import { backupIdRule, isValidBackupId } from '../format/layout.js';
import { byteSize, int } from './schema-helpers.js';
import { kafkaConnectionSchema, topicSelectionSchema } from './schema-kafka.js';
import { groupPatternError } from './groups.js';
import { topicNamePattern, topicNameRule } from './topics.js';

export { kafkaConnectionSchema } from './schema-kafka.js';

const compressions = ['zstd', 'lz4', 'none'] as const satisfies readonly CodecName[];

export { storageBackends, storageSchema } from './schema-storage.js';

const groupEntry = z.string().superRefine((entry, ctx) => {
  const error = groupPatternError(entry);
  if (error) ctx.addIssue({ code: 'custom', message: error, input: entry });
});
import { storageSchema } from './schema-storage.js';

export const backupOptionsSchema = z
  .strictObject({
    mode: z
      .enum(['snapshot', 'continuous'])
      .default('snapshot')
      .describe('snapshot: copy up to the end offsets seen at start, then stop. continuous: keep following new records.'),
    compression: z.enum(compressions).default('zstd').describe('Codec for segment blocks.'),
    compression_level: int(1, 22)
      .default(3)
      .describe('zstd level: higher is smaller and slower. Only valid with compression zstd.'),
    segment_max_bytes: byteSize(65536)
      .default(134217728)
      .describe('Roll to a new segment once this many bytes are written (e.g. "128MiB"); a segment may exceed it by up to one fetch response (max.partition.fetch.bytes).'),
    segment_max_interval_ms: int(100)
      .default(60000)
      .describe(
        'Roll to a new segment after this long (checked as each fetch returns), so recent records reach storage: with segment_max_bytes ' +
          'it bounds the records a crash makes the next run fetch again, since fetched records count once their segment is stored.',
      ),
    block_max_bytes: byteSize(4096, 67108864)
      .default(1048576)
      .describe('Uncompressed size of a compressed block inside a segment; at most segment_max_bytes.'),
    max_concurrent_partitions: int(1, 1024).default(4).describe('Partitions backed up at the same time.'),
    checkpoint_interval_secs: int(1, 3600)
      .default(30)
      .describe(
        'How often a running backup refreshes the heartbeat in its descriptor (backup.json), which `status` shows as the last checkpoint. ' +
          'A run whose heartbeat is older than 3 intervals counts as interrupted, and another process may take the backup over. ' +
          'It does not bound the work repeated after a crash: segment_max_interval_ms and segment_max_bytes do.',
      ),
    poll_interval_ms: int(10, 60000)
      .default(1000)
      .describe(
        'Continuous mode only (refused in snapshot mode): how long a partition that has caught up waits before fetching again ' +
          '(its slot goes to other partitions meanwhile).',
      ),
    consumer_groups: z
      .array(groupEntry)
      .default([])
      .describe(
        'Consumer groups whose committed offsets on the backed-up topics are captured, with the time of capture: exact ids, globs with * and ?, ' +
          'or regular expressions after "~" ("*" for every group). Empty: none. See docs/consumer-groups.md.',
      ),
    consumer_groups_interval_secs: int(1, 86400)
      .default(60)
      .describe(
        'Continuous mode with consumer_groups only (refused otherwise): capture the selected groups\' offsets again this often (a capture is stored only when an offset changed), ' +
          'so a point-in-time restore can use the offsets as of its window end. Snapshot mode captures once, before the end offsets are read.',
      ),
  })
  .prefault({});

const topicName = z.string().regex(topicNamePattern, {
  error: (iss) => `${JSON.stringify(iss.input)} is not a valid topic name (${topicNameRule})`,
});

/** A Kafka config name, e.g. retention.ms. */
const configKey = z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, {
  error: (iss) => `${JSON.stringify(iss.input)} is not a Kafka config name (lower-case letters, digits, . _ -)`,
});

/**
 * A topic config value as Kafka takes it: a string. YAML numbers and booleans are accepted and
 * converted, except integers beyond 2^53, which YAML has already rounded: those must be quoted.
 */
const configValue = z
  .union([z.string(), z.number(), z.boolean(), z.null()], { error: () => 'expected a config value (a string, number or boolean) or null' })
  .transform((value, ctx) => {
    if (typeof value === 'number' && Number.isInteger(value) && !Number.isSafeInteger(value)) {
      ctx.issues.push({ code: 'custom', message: `an integer this large is rounded when read (to ${value}): write it as a string, in quotes`, input: value });
      return z.NEVER;
    }
    return value === null ? null : String(value);
  })
  .meta({ docType: 'string | null' });

/** Epoch milliseconds, or an ISO-8601 date-time with a zone (e.g. "2026-03-01T12:00:00Z"). */
const pointInTime = z
  .union([z.number(), z.string()])
  .transform((v, ctx) => {
    const ms = typeof v === 'number' ? v : /^\d{4}-\d{2}-\d{2}T.*(Z|[+-]\d{2}:?\d{2})$/i.test(v) ? Date.parse(v) : NaN;
    if (!Number.isSafeInteger(ms) || ms < 0) {
      ctx.addIssue({ code: 'custom', message: `${JSON.stringify(v)} is not epoch milliseconds or an ISO-8601 date-time with a zone`, input: v });
      return z.NEVER;
    }
    return ms;
  })
  .meta({ docType: 'epoch ms | ISO-8601 string' });

const offsetRange = z.strictObject({
  start_offset: int(0).optional().describe('First source offset restored (inclusive).'),
  end_offset: int(0).optional().describe('Last source offset restored (inclusive).'),
});

export const restoreOptionsSchema = z
  .strictObject({
    topics: topicSelectionSchema('Backed-up topics').describe('Which backed-up topics to restore (default: all).'),
    topic_mapping: z
      .record(topicName, topicName)
      .default({})
      .describe('Restore a backed-up topic under another name: source name → target name.'),
    produce_batch_size: int(1, 1_000_000).default(1000).describe('Most records per produced batch.'),
    max_concurrent_partitions: int(1, 1024).default(4).describe('Partitions restored at the same time.'),
    create_topics: z
      .boolean()
      .default(true)
      .describe('Create missing target topics with the backed-up partition count (and, with topic_configs, replication factor and configs).'),
    topic_configs: z
      .boolean()
      .default(true)
      .describe(
        'Give created topics the replication factor and topic configs the backup captured (retention, cleanup.policy, max.message.bytes…), ' +
          'and report where existing target topics differ from them. false: created topics get the target broker defaults.',
      ),
    config_overrides: z
      .record(configKey, configValue)
      .default({})
      .describe(
        'Topic configs applied on top of the captured ones (the only ones when topic_configs is false), for every restored topic: ' +
          'config key → value, or null to leave a captured key out (e.g. "min.insync.replicas": "1" for a smaller target cluster). ' +
          'Also compared with existing target topics.',
      ),
    replication_factor: int(1)
      .optional()
      .describe(
        "Replication factor of created topics (default: the backup's, lowered to the target's broker count when it has fewer brokers; " +
          'the broker default when the backup has none or topic_configs is false). Refused when create_topics is false.',
      ),
    keyless_records: z
      .enum(['fail', 'skip'])
      .default('fail')
      .describe(
        'Records without a key bound for a compacted target topic (cleanup.policy compact), which refuses them: ' +
          'fail stops the restore at the first one, before producing its batch; skip leaves them out (counted in the log and summary). ' +
          'validate-restore counts them. See docs/restore-targets.md.',
      ),
    allow_append: z
      .boolean()
      .default(false)
      .describe('Allow restoring into partitions that already hold data; refused otherwise.'),
    checkpoint_interval_secs: int(1, 3600)
      .default(10)
      .describe(
        'How often a running restore saves each partition\'s state (records written, offset map), which `status` shows. ' +
          'Resuming does not depend on it: a rerun counts the records already in the target partition.',
      ),
    consumer_groups: z
      .array(groupEntry)
      .default([])
      .describe(
        'Captured consumer groups whose offsets the restore commits on the target once the data is restored, translated to target offsets ' +
          '(exact ids, globs, "~regex"; "*" for every captured group; empty: none). A group with active members on the target is not changed and ' +
          'fails the restore; `kafka-backup offsets plan` / `offsets apply` show and apply the same plan on their own. See docs/consumer-groups.md.',
      ),
    consumer_group_mapping: z
      .record(z.string().min(1), z.string().min(1))
      .default({})
      .describe('Commit a captured group under another id on the target: source group id → target group id. Refused when consumer_groups selects none.'),
    rate_limit_records_per_sec: int(1)
      .nullable()
      .meta({ docType: 'integer (≥ 1) | null' })
      .default(null)
      .describe(
        'Most records per second the restore produces, all partitions together; null: unlimited. ' +
          'Holds over any 1-second window to within one produced batch (after a pause, plus at most 1/20 s of the rate).',
      ),
    rate_limit_bytes_per_sec: byteSize(1)
      .nullable()
      .meta({ docType: 'byte size (≥ 1) | null' })
      .default(null)
      .describe(
        'Most bytes (produced record batches) per second the restore sends, all partitions together, e.g. "50MB"; null: unlimited. ' +
          'Held like rate_limit_records_per_sec; with both set, the tighter one governs.',
      ),
    time_window_start: pointInTime
      .optional()
      .describe('Point-in-time restore: restore only records whose timestamp is at or after this (inclusive); see docs/point-in-time.md.'),
    time_window_end: pointInTime
      .optional()
      .describe('Point-in-time restore: restore only records whose timestamp is at or before this (inclusive).'),
    start_offset: int(0).optional().describe('Restore only records at or after this source offset, in every partition (inclusive).'),
    end_offset: int(0).optional().describe('Restore only records at or before this source offset, in every partition (inclusive).'),
    partition_offsets: z
      .record(topicName, z.record(z.string().regex(/^\d+$/, { error: 'expected a partition number' }), offsetRange))
      .optional()
      .describe('Per-partition offset ranges overriding start_offset / end_offset: source topic → partition → { start_offset, end_offset }.'),
    provenance_headers: z
      .boolean()
      .default(false)
      .describe(
        'Append four headers to every restored record, after its own: kafka-backup.source.topic (the backed-up topic name), ' +
          'kafka-backup.source.partition, kafka-backup.source.offset and kafka-backup.source.timestamp (epoch ms), ' +
          'all as UTF-8 text, numbers in decimal; for consumers that deduplicate. false: records are restored byte-exact.',
      ),
  })
  .superRefine((r, ctx) => {
    if (r.time_window_start !== undefined && r.time_window_end !== undefined && r.time_window_end < r.time_window_start) {
      ctx.addIssue({ code: 'custom', path: ['time_window_end'], message: 'time_window_end is before time_window_start', input: r.time_window_end });
    }
    const ranges: [string[], { start_offset?: number | undefined; end_offset?: number | undefined }][] = [[[], r]];
    for (const [topic, parts] of Object.entries(r.partition_offsets ?? {})) {
      for (const [p, range] of Object.entries(parts)) ranges.push([['partition_offsets', topic, p], range]);
    }
    for (const [path, range] of ranges) {
      if (range.start_offset !== undefined && range.end_offset !== undefined && range.end_offset < range.start_offset) {
        ctx.addIssue({ code: 'custom', path: [...path, 'end_offset'], message: 'end_offset is before start_offset', input: range.end_offset });
      }
    }
  })
  .prefault({});

export const configSchema = z.strictObject({
  mode: z
    .enum(['backup', 'restore'])
    .optional()
    .describe(
      'What the file is for; when set, a command run with another mode refuses it, and so are the sections only the other command ' +
        'reads (target and restore in a backup file, source and backup in a restore file). Without it one file serves both.',
    ),
  backup_id: z
    .string({ error: (iss) => (iss.input === undefined ? 'required' : 'expected a string') })
    .refine(isValidBackupId, {
      error: (iss) => `${JSON.stringify(iss.input)} is not a valid backup id (${backupIdRule})`,
    })
    .describe('Name of the backup; it becomes a path segment in storage.'),
  source: kafkaConnectionSchema.optional().describe('Cluster to back up from; required by the backup command.'),
  target: kafkaConnectionSchema.optional().describe('Cluster to restore into; required by the restore command.'),
  storage: storageSchema.describe('Where backups are stored.'),
  backup: backupOptionsSchema.describe('Backup settings.'),
  restore: restoreOptionsSchema.describe('Restore settings.'),
});
