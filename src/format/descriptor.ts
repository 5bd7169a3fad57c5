// The backup descriptor, backup.json (docs/format.md "Backup descriptor"): what the backup is, who
// owns it, and its run history. Informational and for coordination only: the partition manifests
// alone decide what data exists.

import { z } from 'zod';
import { KafkaBackupError } from '../errors.js';
import type { StorageBackend } from '../storage/backend.js';
import { FORMAT_VERSION } from './constants.js';
import { readJsonObject, writeJsonObject, type WriteJsonOptions } from './json-object.js';
import { descriptorKey } from './layout.js';

/** How many runs `runs` keeps; older ones are dropped on write. */
export const MAX_RUNS = 100;
/** A running descriptor whose heartbeat is older than this many intervals is interrupted. */
export const STALE_HEARTBEATS = 3;

const isoTime = z.iso.datetime();

export const descriptorOwnerSchema = z.object({
  run_id: z.string().min(1),
  host: z.string(),
  pid: z.number().int().min(0),
  heartbeat_at: isoTime,
  heartbeat_interval_ms: z.number().int().min(1),
});

/**
 * A backed-up topic. `replication_factor` and `configs` (the configs set on the topic itself, as
 * strings) were added within format version 1: descriptors written before them lack both.
 */
export const descriptorTopicSchema = z.object({
  name: z.string().min(1),
  partitions: z.number().int().min(0),
  replication_factor: z.number().int().min(1).optional(),
  configs: z.record(z.string().min(1), z.string()).optional(),
});

export const runResults = ['running', 'complete', 'failed', 'interrupted'] as const;

export const runEntrySchema = z.object({
  run_id: z.string().min(1),
  started_at: isoTime,
  ended_at: isoTime.nullable(),
  result: z.enum(runResults),
});

export const backupDescriptorSchema = z.object({
  format_version: z.literal(FORMAT_VERSION),
  backup_id: z.string().min(1),
  created_at: isoTime,
  updated_at: isoTime,
  state: z.enum(['running', 'complete', 'failed']),
  mode: z.enum(['snapshot', 'continuous']),
  owner: descriptorOwnerSchema,
  source: z.object({
    cluster_id: z.string(),
    bootstrap_servers: z.array(z.string()),
  }),
  compression: z.object({
    codec: z.enum(['none', 'zstd', 'lz4']),
    level: z.number().int(),
  }),
  topics: z.array(descriptorTopicSchema),
  runs: z.array(runEntrySchema),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
});

export type DescriptorOwner = z.infer<typeof descriptorOwnerSchema>;
export type DescriptorTopic = z.infer<typeof descriptorTopicSchema>;
export type RunEntry = z.infer<typeof runEntrySchema>;
export type BackupDescriptor = z.infer<typeof backupDescriptorSchema>;
export type EffectiveState = 'running' | 'complete' | 'interrupted' | 'failed';

const WHAT = 'backup descriptor';

export async function readDescriptor(
  storage: StorageBackend,
  id: string,
): Promise<{ descriptor: BackupDescriptor; etag: string } | undefined> {
  const key = descriptorKey(id);
  const read = await readJsonObject(storage, key, WHAT, backupDescriptorSchema);
  if (!read) return undefined;
  if (read.value.backup_id !== id) {
    throw new KafkaBackupError('BACKUP_CORRUPT', `${WHAT} ${key} names backup ${read.value.backup_id}`, { key });
  }
  return { descriptor: read.value, etag: read.etag };
}

/** Store the descriptor, keeping only the last MAX_RUNS runs; returns the new etag. */
export async function writeDescriptor(
  storage: StorageBackend,
  descriptor: BackupDescriptor,
  options: WriteJsonOptions = {},
): Promise<string> {
  const key = descriptorKey(descriptor.backup_id);
  const capped = { ...descriptor, runs: descriptor.runs.slice(-MAX_RUNS) };
  return writeJsonObject(storage, key, WHAT, capped, backupDescriptorSchema, options);
}

/** A new descriptor with `run` added to the history, or replacing the entry with its run_id. */
export function recordRun(descriptor: BackupDescriptor, run: RunEntry): BackupDescriptor {
  const runs = descriptor.runs.filter((r) => r.run_id !== run.run_id);
  runs.push(run);
  return { ...descriptor, runs: runs.slice(-MAX_RUNS) };
}

/** Whether the owner's heartbeat is too old for it to still be alive. */
export function isHeartbeatStale(owner: DescriptorOwner, now: Date | number): boolean {
  const age = Number(now) - Date.parse(owner.heartbeat_at);
  return age > STALE_HEARTBEATS * owner.heartbeat_interval_ms;
}

/** The state `status` reports: a running descriptor with a stale heartbeat is interrupted. */
export function effectiveState(descriptor: BackupDescriptor, now: Date | number): EffectiveState {
  if (descriptor.state === 'running' && isHeartbeatStale(descriptor.owner, now)) return 'interrupted';
  return descriptor.state;
}
