// Consumer-group captures, `<id>/groups/<ms>.json` (docs/format.md "Consumer-group capture"): the
// committed offsets of the selected groups on the backed-up topics at one moment. A backup writes
// one at start (snapshot mode) or one per interval in which an offset changed (continuous mode);
// they are never rewritten. A restore picks the latest capture at or before its window end.

import { z } from 'zod';
import { KafkaBackupError } from '../errors.js';
import type { StorageBackend } from '../storage/backend.js';
import { FORMAT_VERSION } from './constants.js';
import { readJsonObject, writeJsonObject } from './json-object.js';
import { groupCaptureKey, groupCapturesPrefix, groupCommitsKey, parseGroupCaptureKey } from './layout.js';

const offset = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

export const committedOffsetSchema = z.object({
  topic: z.string().min(1),
  partition: z.number().int().min(0),
  /** The committed offset: the next record the group would read. */
  offset,
  /** The commit's metadata string, kept so it can be committed again. */
  metadata: z.string().nullable(),
});

export const capturedGroupSchema = z.object({
  group_id: z.string().min(1),
  /** The group's state at capture time (Empty, Stable, ...), for information. */
  state: z.string(),
  offsets: z.array(committedOffsetSchema),
});

export const groupCaptureSchema = z.object({
  format_version: z.literal(FORMAT_VERSION),
  backup_id: z.string().min(1),
  captured_at: z.iso.datetime(),
  source_cluster_id: z.string(),
  groups: z.array(capturedGroupSchema),
});

export type CommittedOffset = z.infer<typeof committedOffsetSchema>;
export type CapturedGroup = z.infer<typeof capturedGroupSchema>;
export type GroupCapture = z.infer<typeof groupCaptureSchema>;

const WHAT = 'consumer-group capture';

export async function writeGroupCapture(storage: StorageBackend, capture: GroupCapture): Promise<string> {
  const key = groupCaptureKey(capture.backup_id, Date.parse(capture.captured_at));
  await writeJsonObject(storage, key, WHAT, capture, groupCaptureSchema, { create: true });
  return key;
}

/** Capture times (epoch ms) of the backup's captures, oldest first. */
export async function listGroupCaptures(storage: StorageBackend, id: string): Promise<number[]> {
  const times: number[] = [];
  for await (const obj of storage.list(groupCapturesPrefix(id))) {
    const ref = parseGroupCaptureKey(obj.key);
    if (ref && ref.id === id) times.push(ref.capturedAtMs);
  }
  return times.sort((a, b) => a - b);
}

export async function readGroupCapture(storage: StorageBackend, id: string, capturedAtMs: number): Promise<GroupCapture> {
  const key = groupCaptureKey(id, capturedAtMs);
  const read = await readJsonObject(storage, key, WHAT, groupCaptureSchema);
  if (!read) throw new KafkaBackupError('BACKUP_CORRUPT', `${WHAT} ${key} disappeared while reading it`, { key });
  const c = read.value;
  if (c.backup_id !== id || Date.parse(c.captured_at) !== capturedAtMs) {
    throw new KafkaBackupError('BACKUP_CORRUPT', `${WHAT} ${key} is invalid: it names another backup or time`, { key });
  }
  return c;
}

/**
 * The capture a restore uses: the latest at or before `asOf` (epoch ms), or the latest of all when
 * there is no `asOf`; undefined when there is none.
 */
export function chooseCapture(times: readonly number[], asOf: number | undefined): number | undefined {
  let chosen: number | undefined;
  for (const t of times) if (asOf === undefined || t <= asOf) chosen = t;
  return chosen;
}

/** Whether two captures hold the same groups and offsets (the state, not the time). */
export function sameOffsets(a: readonly CapturedGroup[], b: readonly CapturedGroup[]): boolean {
  const flat = (gs: readonly CapturedGroup[]) =>
    JSON.stringify(gs.map((g) => [g.group_id, g.offsets.map((o) => [o.topic, o.partition, o.offset, o.metadata])]));
  return flat(a) === flat(b);
}

// The group-commit record, `<id>/group-commits/<cluster-id>.json`: which captured offsets a restore
// or `offsets apply` has committed into one target cluster, so a rerun does not move a group that
// has consumed since back to where the capture had it.

export const groupCommitSchema = z.object({
  target_group: z.string().min(1),
  source_group: z.string().min(1),
  /** The capture the offsets came from. */
  captured_at: z.iso.datetime(),
  committed_at: z.iso.datetime(),
  offsets: z.array(z.object({ topic: z.string().min(1), partition: z.number().int().min(0), offset })),
});

export const groupCommitsSchema = z.object({
  format_version: z.literal(FORMAT_VERSION),
  backup_id: z.string().min(1),
  target_cluster_id: z.string().min(1),
  groups: z.array(groupCommitSchema),
});

export type GroupCommit = z.infer<typeof groupCommitSchema>;
export type GroupCommits = z.infer<typeof groupCommitsSchema>;

const COMMITS = 'group-commit record';

export async function readGroupCommits(storage: StorageBackend, id: string, clusterId: string): Promise<{ value: GroupCommits; etag: string | undefined }> {
  const key = groupCommitsKey(id, clusterId);
  const read = await readJsonObject(storage, key, COMMITS, groupCommitsSchema);
  if (!read) return { value: { format_version: FORMAT_VERSION, backup_id: id, target_cluster_id: clusterId, groups: [] }, etag: undefined };
  if (read.value.backup_id !== id || read.value.target_cluster_id !== clusterId) {
    throw new KafkaBackupError('BACKUP_CORRUPT', `${COMMITS} ${key} is invalid: it names another backup or cluster`, { key });
  }
  return read;
}

/** Store the record: replaces only the version read (etag), or creates it. Returns the new etag. */
export async function writeGroupCommits(storage: StorageBackend, commits: GroupCommits, etag: string | undefined): Promise<string> {
  const key = groupCommitsKey(commits.backup_id, commits.target_cluster_id);
  return writeJsonObject(storage, key, COMMITS, commits, groupCommitsSchema, etag ? { etag } : { create: true });
}

/** Whether `commit` already set every one of these offsets from the same capture. */
export function alreadyCommitted(commit: GroupCommit | undefined, capturedAt: string, offsets: readonly { topic: string; partition: number; offset: number }[]): boolean {
  if (!commit || commit.captured_at !== capturedAt) return false;
  return offsets.every((o) => commit.offsets.some((c) => c.topic === o.topic && c.partition === o.partition && c.offset === o.offset));
}
