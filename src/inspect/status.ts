// What `status` reports: the backups at a storage location, and for one backup its state, topics,
// partitions with offset and time ranges, sizes, and the restores made from it.
import { KafkaBackupError } from '../errors.js';
import { effectiveState, readDescriptor, type BackupDescriptor, type EffectiveState } from '../format/descriptor.js';
import { listGroupCaptures, readGroupCapture } from '../format/group-offsets.js';
import { parseManifestKey, restoresPrefix, topicsPrefix } from '../format/layout.js';
import { readManifest } from '../format/manifest.js';
import { readRestoreState } from '../format/restore-state.js';
import { ownerIsGone } from '../pipeline/backup-run.js';
import type { StorageBackend } from '../storage/backend.js';

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
  state: EffectiveState;
  mode: string;
  created_at: string;
  updated_at: string;
  last_checkpoint: string;
  source_cluster_id: string;
  compression: string;
  error: { code: string; message: string } | null;
  totals: { topics: number; partitions: number; records: number; segments: number; stored_bytes: number; raw_bytes: number; compression_ratio: number | null };
  partitions: PartitionStatus[];
  restores: RestoreSummary[];
  /** Consumer-group captures (docs/consumer-groups.md): how many, when, and the groups of the latest. */
  consumer_groups: { captures: number; first: string | null; latest: string | null; groups: string[] };
}

export async function backupStatus(storage: StorageBackend, id: string, now = Date.now()): Promise<BackupStatus> {
  const read = await readDescriptor(storage, id);
  if (!read) throw new KafkaBackupError('BACKUP_NOT_FOUND', `no backup "${id}" at ${storage.location}`);
  const d = read.descriptor;
  const partitions: PartitionStatus[] = [];
  const restores: RestoreSummary[] = [];
  for await (const obj of storage.list(topicsPrefix(id))) {
    const ref = parseManifestKey(obj.key);
    if (!ref || ref.id !== id) continue;
    const m = (await readManifest(storage, id, ref.topic, ref.partition))?.manifest;
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
    const s = (await readRestoreState(storage, id, parts[0]!, parts[1]!, p))?.state;
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
  const latest = captures.length > 0 ? await readGroupCapture(storage, id, captures.at(-1)!) : undefined;
  const sum = (f: (p: PartitionStatus) => number) => partitions.reduce((n, p) => n + f(p), 0);
  const stored = sum((p) => p.stored_bytes);
  const raw = sum((p) => p.raw_bytes);
  return {
    backup_id: id,
    location: storage.location,
    state: displayState(d, now),
    mode: d.mode,
    created_at: d.created_at,
    updated_at: d.updated_at,
    last_checkpoint: d.owner.heartbeat_at,
    source_cluster_id: d.source.cluster_id,
    compression: d.compression.codec === 'zstd' ? `zstd level ${d.compression.level}` : d.compression.codec,
    error: d.error,
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
  state: EffectiveState;
  mode: string;
  updated_at: string;
  topics: number;
}

/** Every backup at the location: each top-level folder holding a backup.json. */
export async function listBackups(storage: StorageBackend, now = Date.now()): Promise<BackupListing[]> {
  const out: BackupListing[] = [];
  for await (const obj of storage.list('')) {
    const m = /^([^/]+)\/backup\.json$/.exec(obj.key);
    if (!m) continue;
    const read = await readDescriptor(storage, m[1]!);
    if (!read) continue;
    const d = read.descriptor;
    out.push({ backup_id: d.backup_id, state: displayState(d, now), mode: d.mode, updated_at: d.updated_at, topics: d.topics.length });
  }
  return out;
}
