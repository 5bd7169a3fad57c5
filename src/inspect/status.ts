// What `status` reports: the backups at a storage location, and for one backup its state, topics,
// partitions with offset and time ranges, sizes, and the restores made from it; for a damaged
// backup also what is missing or unreadable (src/inspect/inventory.ts).
import { KafkaBackupError, describeError, isKafkaBackupError } from '../errors.js';
import { effectiveState, type BackupDescriptor, type EffectiveState } from '../format/descriptor.js';
import { listGroupCaptures, readGroupCapture } from '../format/group-offsets.js';
import { restoresPrefix } from '../format/layout.js';
import { readRestoreState } from '../format/restore-state.js';
import { ownerIsGone } from '../pipeline/backup/backup-run.js';
import type { StorageBackend } from '../storage/backend.js';
import { inventoryLocation, takeInventory } from './inventory.js';

export interface PartitionStatus {
  topic: string;
  partition: number;
  next_offset: number;
  first_offset: number | null;
  last_offset: number | null;
  min_timestamp: number | null;
  max_timestamp: number | null;
  records: number;
  segments: number;
  stored_bytes: number;
  raw_bytes: number;
  gaps: { from: number; to: number; reason: string }[];
}

export interface RestoreSummary {
  target_cluster_id: string;
  target_topic: string;
  target_partition: number;
  state: string;
  records_written: number;
  updated_at: string;
}

export interface BackupStatus {
  backup_id: string;
  location: string;
  /** The descriptor's fields are null when backup.json is missing or unreadable (see problems). */
  state: EffectiveState | null;
  mode: string | null;
  created_at: string | null;
  updated_at: string | null;
  last_checkpoint: string | null;
  source_cluster_id: string | null;
  compression: string | null;
  /** The failure the last run recorded (not this command's: with --json, `error` is reserved for that). */
  run_error: { code: string; message: string } | null;
  /** Whether an object the backup needs is missing or unreadable: backup.json, a manifest, a segment. */
  damaged: boolean;
  /** Each missing or unreadable object, naming the partition and the key (src/inspect/inventory.ts). */
  problems: string[];
  totals: { topics: number; partitions: number; records: number; segments: number; stored_bytes: number; raw_bytes: number; compression_ratio: number | null };
  /** Partitions with a readable manifest. */
  partitions: PartitionStatus[];
  restores: RestoreSummary[];
  /** Consumer-group captures (docs/consumer-groups.md): how many, when, and the groups of the latest. */
  consumer_groups: { captures: number; first: string | null; latest: string | null; groups: string[] };
}

/** One backup in detail; a damaged backup is shown with what can be read, and its problems. */
export async function backupStatus(storage: StorageBackend, id: string, now = Date.now()): Promise<BackupStatus> {
  const inv = await takeInventory(storage, id);
  if (!inv.exists) throw new KafkaBackupError('BACKUP_NOT_FOUND', `no backup "${id}" at ${storage.location}`);
  const d = inv.descriptor;
  const partitions: PartitionStatus[] = [];
  const restores: RestoreSummary[] = [];
  // A restore state or a capture that cannot be read is a problem of the backup, shown with the rest.
  const unreadable: string[] = [];
  for (const { manifest: m } of inv.partitions) {
    if (!m) continue;
    const segs = m.segments;
    const withData = segs.filter((s) => s.min_timestamp >= 0);
    partitions.push({
      topic: m.topic,
      partition: m.partition,
      next_offset: m.next_offset,
      first_offset: segs[0]?.base_offset ?? null,
      last_offset: segs.at(-1)?.last_offset ?? null,
      min_timestamp: withData.length ? Math.min(...withData.map((s) => s.min_timestamp)) : null,
      max_timestamp: withData.length ? Math.max(...withData.map((s) => s.max_timestamp)) : null,
      records: segs.reduce((n, s) => n + s.record_count, 0),
      segments: segs.length,
      stored_bytes: segs.reduce((n, s) => n + s.stored_bytes, 0),
      raw_bytes: segs.reduce((n, s) => n + s.raw_bytes, 0),
      gaps: m.gaps.map((g) => ({ from: g.from, to: g.to, reason: g.reason })),
    });
  }
  for await (const obj of storage.list(restoresPrefix(id))) {
    const parts = obj.key.slice(restoresPrefix(id).length).split('/');
    if (parts.length !== 3 || !parts[2]!.endsWith('.json')) continue;
    const p = Number(parts[2]!.slice(0, -5));
    if (!Number.isInteger(p)) continue;
    const s = (await unreadableAsProblem(unreadable, obj.key, readRestoreState(storage, id, parts[0]!, parts[1]!, p)))?.state;
    if (s) {
      restores.push({
        target_cluster_id: s.target_cluster_id,
        target_topic: s.target_topic,
        target_partition: s.target_partition,
        state: s.state,
        records_written: s.records_written,
        updated_at: s.updated_at,
      });
    }
  }
  partitions.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
  const captures = await listGroupCaptures(storage, id);
  const latest = captures.length > 0 ? await unreadableAsProblem(unreadable, `consumer-group capture ${captures.at(-1)!}`, readGroupCapture(storage, id, captures.at(-1)!)) : undefined;
  const sum = (f: (p: PartitionStatus) => number) => partitions.reduce((n, p) => n + f(p), 0);
  const stored = sum((p) => p.stored_bytes);
  const raw = sum((p) => p.raw_bytes);
  return {
    backup_id: id,
    location: storage.location,
    state: d ? displayState(d, now) : null,
    mode: d?.mode ?? null,
    created_at: d?.created_at ?? null,
    updated_at: d?.updated_at ?? null,
    last_checkpoint: d?.owner.heartbeat_at ?? null,
    source_cluster_id: d?.source.cluster_id ?? null,
    compression: !d ? null : d.compression.codec === 'zstd' ? `zstd level ${d.compression.level}` : d.compression.codec,
    run_error: d?.error ?? null,
    damaged: inv.damage.length + unreadable.length > 0,
    problems: [...inv.damage.map((x) => x.message), ...unreadable],
    totals: {
      topics: new Set(partitions.map((p) => p.topic)).size,
      partitions: partitions.length,
      records: sum((p) => p.records),
      segments: sum((p) => p.segments),
      stored_bytes: stored,
      raw_bytes: raw,
      compression_ratio: stored > 0 ? Number((raw / stored).toFixed(2)) : null,
    },
    partitions,
    restores,
    consumer_groups: {
      captures: captures.length,
      first: captures.length > 0 ? new Date(captures[0]!).toISOString() : null,
      latest: latest?.captured_at ?? null,
      groups: latest?.groups.map((g) => g.group_id) ?? [],
    },
  };
}

/** The object `read` reads, or undefined with a problem naming `what` when it is corrupt or of an unsupported format. */
async function unreadableAsProblem<T>(problems: string[], what: string, read: Promise<T>): Promise<T | undefined> {
  try {
    return await read;
  } catch (err) {
    if (!isKafkaBackupError(err, 'BACKUP_CORRUPT') && !isKafkaBackupError(err, 'FORMAT_UNSUPPORTED')) throw err;
    problems.push(`${what} is unreadable: ${describeError(err)}`);
    return undefined;
  }
}

/**
 * A run stopped by a signal before its end is "interrupted", like one that died; so is a running
 * owner on this host whose process is gone (the next run takes it over at once, see BackupRun.claim).
 */
function displayState(d: BackupDescriptor, now: number): EffectiveState {
  const s = effectiveState(d, now);
  if (s === 'running' && ownerIsGone(d.owner)) return 'interrupted';
  return s === 'failed' && d.error?.code === 'INTERRUPTED' ? 'interrupted' : s;
}

export interface BackupListing {
  backup_id: string;
  /** The descriptor's fields are null when backup.json is missing or unreadable (see problems). */
  state: EffectiveState | null;
  mode: string | null;
  updated_at: string | null;
  /** Topics the descriptor lists or that have a partition manifest. */
  topics: number;
  damaged: boolean;
  problems: string[];
}

/**
 * Every backup at the location, healthy and damaged side by side: each top-level folder holding a
 * backup.json or a topics/ folder, checked like one backup (src/inspect/inventory.ts).
 */
export async function listBackups(storage: StorageBackend, now = Date.now()): Promise<BackupListing[]> {
  return (await inventoryLocation(storage)).map((inv) => {
    const d = inv.descriptor;
    const topics = new Set([...(d?.topics.map((t) => t.name) ?? []), ...inv.partitions.map((p) => p.topic)]);
    return {
      backup_id: inv.id,
      state: d ? displayState(d, now) : null,
      mode: d?.mode ?? null,
      updated_at: d?.updated_at ?? null,
      topics: topics.size,
      damaged: inv.damage.length > 0,
      problems: inv.damage.map((x) => x.message),
    };
  });
}
