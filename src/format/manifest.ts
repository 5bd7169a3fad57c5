// The partition manifest: the commit point of a partition's log (docs/format.md "Partition
// manifest"). A segment exists for readers only once listed here. commitSegment and recordGap are
// pure so the backup can build the next manifest, write it conditionally, and keep the old one if
// the write fails.

import { z } from 'zod';
import { KafkaBackupError } from '../errors.js';
import type { StorageBackend } from '../storage/backend.js';
import { FORMAT_VERSION, NO_TIMESTAMP } from './constants.js';
import { readJsonObject, writeJsonObject, type WriteJsonOptions } from './json-object.js';
import { manifestKey, segmentKey } from './layout.js';

const offset = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const count = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const timestamp = z.number().int().min(-Number.MAX_SAFE_INTEGER).max(Number.MAX_SAFE_INTEGER);
const isoTime = z.iso.datetime();

export const segmentEntrySchema = z.object({
  key: z.string().min(1),
  base_offset: offset,
  last_offset: offset,
  next_offset: offset,
  record_count: count,
  batch_count: count.min(1),
  min_timestamp: timestamp,
  max_timestamp: timestamp,
  raw_bytes: count,
  stored_bytes: count,
  block_count: count.min(1),
  codec: z.enum(['none', 'zstd', 'lz4']),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  created_at: isoTime,
});

export const gapReasons = ['log_start_moved'] as const;
export type GapReason = (typeof gapReasons)[number];

export const gapEntrySchema = z.object({
  from: offset,
  to: offset,
  reason: z.enum(gapReasons),
  detected_at: isoTime,
});

export const partitionManifestSchema = z.object({
  format_version: z.literal(FORMAT_VERSION),
  topic: z.string().min(1),
  partition: z.number().int().min(0).max(0x7fff_ffff),
  next_offset: offset,
  segments: z.array(segmentEntrySchema),
  gaps: z.array(gapEntrySchema),
  updated_at: isoTime,
});

export type SegmentEntry = z.infer<typeof segmentEntrySchema>;
export type GapEntry = z.infer<typeof gapEntrySchema>;
export type PartitionManifest = z.infer<typeof partitionManifestSchema>;
/** What SegmentWriter.finish() returns: a manifest entry minus the fields the commit decides. */
export type SegmentSummary = Omit<SegmentEntry, 'next_offset' | 'created_at'>;

const WHAT = 'partition manifest';

export function emptyManifest(topic: string, p: number, now: Date = new Date()): PartitionManifest {
  return {
    format_version: FORMAT_VERSION,
    topic,
    partition: p,
    next_offset: 0,
    segments: [],
    gaps: [],
    updated_at: now.toISOString(),
  };
}

/**
 * Structure checks beyond the schema: the manifest belongs to its key, segments are this
 * partition's, and segments and gaps are ordered, disjoint ranges below next_offset.
 * Returns a problem description, or undefined when the manifest is sound.
 */
export function manifestProblem(m: PartitionManifest, id: string, topic: string, p: number): string | undefined {
  if (m.topic !== topic || m.partition !== p) return `it describes ${m.topic}/${m.partition}`;
  const ranges: { from: number; to: number; what: string }[] = [];
  let segmentsEnd = 0;
  for (const [i, s] of m.segments.entries()) {
    const what = `segment ${i} (${s.key})`;
    if (s.key !== segmentKey(id, topic, p, s.base_offset)) return `${what} has a key foreign to this partition`;
    if (!(s.base_offset <= s.last_offset && s.last_offset < s.next_offset)) return `${what} has unordered offsets`;
    if (s.base_offset < segmentsEnd) return `${what} is out of order`;
    const noRecordTime = s.min_timestamp === NO_TIMESTAMP && s.max_timestamp === NO_TIMESTAMP;
    if (s.min_timestamp > s.max_timestamp || (s.record_count === 0 && !noRecordTime)) {
      return `${what} has an invalid timestamp range`;
    }
    segmentsEnd = s.next_offset;
    ranges.push({ from: s.base_offset, to: s.next_offset, what });
  }
  let gapsEnd = 0;
  for (const [i, g] of m.gaps.entries()) {
    if (g.from >= g.to) return `gap ${i} is empty or reversed`;
    if (g.from < gapsEnd) return `gap ${i} is out of order`;
    gapsEnd = g.to;
    ranges.push({ from: g.from, to: g.to, what: `gap ${i}` });
  }
  ranges.sort((a, b) => a.from - b.from);
  let end = 0;
  for (const r of ranges) {
    if (r.from < end) return `${r.what} overlaps an earlier segment or gap`;
    end = r.to;
  }
  if (m.next_offset < end) return `next_offset ${m.next_offset} is below the covered range's end ${end}`;
  return undefined;
}

/** The manifest and its etag, or undefined when the partition has none yet. */
export async function readManifest(
  storage: StorageBackend,
  id: string,
  topic: string,
  p: number,
): Promise<{ manifest: PartitionManifest; etag: string } | undefined> {
  const key = manifestKey(id, topic, p);
  const read = await readJsonObject(storage, key, WHAT, partitionManifestSchema);
  if (!read) return undefined;
  const problem = manifestProblem(read.value, id, topic, p);
  if (problem) throw new KafkaBackupError('BACKUP_CORRUPT', `${WHAT} ${key} is invalid: ${problem}`, { key });
  return { manifest: read.value, etag: read.etag };
}

/**
 * Store the manifest (the commit). Pass the etag read, or create: true for a new partition, so a
 * concurrent writer makes this fail with STORAGE_PRECONDITION instead of being overwritten.
 * `id` is the backup id: the manifest itself does not hold it.
 */
export async function writeManifest(
  storage: StorageBackend,
  id: string,
  manifest: PartitionManifest,
  options: WriteJsonOptions = {},
): Promise<string> {
  const key = manifestKey(id, manifest.topic, manifest.partition);
  const problem = manifestProblem(manifest, id, manifest.topic, manifest.partition);
  if (problem) throw new KafkaBackupError('INTERNAL', `refusing to write ${WHAT} ${key}: ${problem}`, { key });
  return writeJsonObject(storage, key, WHAT, manifest, partitionManifestSchema, options);
}

/** A new manifest with the segment appended; `nextOffset` is where the next run resumes. */
export function commitSegment(
  manifest: PartitionManifest,
  entry: SegmentSummary,
  nextOffset: number,
  now: Date = new Date(),
): PartitionManifest {
  if (entry.base_offset < manifest.next_offset || entry.last_offset < entry.base_offset || nextOffset <= entry.last_offset) {
    throw new KafkaBackupError(
      'INTERNAL',
      `segment ${entry.key} [${entry.base_offset}, ${entry.last_offset}] next ${nextOffset} does not follow ` +
        `${manifest.topic}/${manifest.partition} next_offset ${manifest.next_offset}`,
    );
  }
  const at = now.toISOString();
  // Parsed so the in-memory entry has schema key order, like one read back, and is valid.
  const parsed = segmentEntrySchema.safeParse({ ...entry, next_offset: nextOffset, created_at: at });
  if (!parsed.success) throw new KafkaBackupError('INTERNAL', `invalid segment entry ${entry.key}: ${parsed.error.message}`);
  const segment: SegmentEntry = parsed.data;
  return { ...manifest, next_offset: nextOffset, segments: [...manifest.segments, segment], updated_at: at };
}

/** A new manifest recording that offsets [from, to) existed but could not be backed up. */
export function recordGap(
  manifest: PartitionManifest,
  from: number,
  to: number,
  reason: GapReason,
  now: Date = new Date(),
): PartitionManifest {
  if (from < manifest.next_offset || to <= from) {
    throw new KafkaBackupError(
      'INTERNAL',
      `gap [${from}, ${to}) does not follow ${manifest.topic}/${manifest.partition} next_offset ${manifest.next_offset}`,
    );
  }
  const at = now.toISOString();
  const gap: GapEntry = { from, to, reason, detected_at: at };
  return { ...manifest, next_offset: to, gaps: [...manifest.gaps, gap], updated_at: at };
}
