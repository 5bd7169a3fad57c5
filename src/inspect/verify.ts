// Checks that a backup's segments are all there and intact: every segment a manifest lists exists
// with the recorded size and sha256, and (deep) every block passes its CRC, decompresses to its
// recorded size and holds exactly the batches and record counts the index and manifest say.
// Used by `verify` and by `validate-restore`, which must not promise a restore that would fail.
import { createHash } from 'node:crypto';
import { KafkaBackupError, describeError, isKafkaBackupError } from '../errors.js';
import type { PartitionManifest, SegmentEntry } from '../format/manifest.js';
import { SegmentReader } from '../format/segment-reader.js';
import type { StorageBackend } from '../storage/backend.js';
import { runPool } from '../pipeline/shared/pool.js';
import { damagedSegments, takeInventory } from './inventory.js';

export interface VerifyResult {
  segments: number;
  bytes: number;
  problems: string[];
}

export interface BackupVerification {
  backupId: string;
  partitions: number;
  /** The segments the manifests list, and their stored bytes. */
  segments: number;
  bytes: number;
  /** Missing or unreadable objects (backup.json, a manifest, a segment), then damaged segments. */
  problems: string[];
}

/**
 * `verify`: a whole backup read back without Kafka. Missing or unreadable objects are problems
 * like a bad checksum; a backup id with nothing at all stored is BACKUP_NOT_FOUND.
 */
export async function verifyBackup(storage: StorageBackend, backupId: string, options: { deep: boolean }): Promise<BackupVerification> {
  const inv = await takeInventory(storage, backupId);
  if (!inv.exists) throw new KafkaBackupError('BACKUP_NOT_FOUND', `no backup "${backupId}" at ${storage.location} (see \`kafka-backup status\` for the backups there)`);
  const manifests = inv.partitions.flatMap((p) => (p.manifest ? [p.manifest] : []));
  const listed = manifests.flatMap((m) => m.segments);
  const result = await verifyPartitions(storage, manifests, { deep: options.deep, skip: damagedSegments(inv.damage) });
  return {
    backupId,
    partitions: inv.partitions.length,
    segments: listed.length,
    bytes: listed.reduce((n, s) => n + s.stored_bytes, 0),
    problems: [...inv.damage.map((d) => d.message), ...result.problems],
  };
}

const HASH_CHUNK = 8 * 1024 * 1024;

export async function verifyPartitions(
  storage: StorageBackend,
  manifests: PartitionManifest[],
  options: { deep: boolean; concurrency?: number; skip?: ReadonlySet<string> },
): Promise<VerifyResult> {
  // Segments the inventory already reported missing or of the wrong size are not read again.
  const segments = manifests.flatMap((m) => m.segments).filter((s) => !options.skip?.has(s.key));
  const problems: string[] = [];
  let bytes = 0;
  await runPool(segments, options.concurrency ?? 4, async (s) => {
    const problem = await verifySegment(storage, s, options.deep);
    if (problem) problems.push(`${s.key}: ${problem}`);
    bytes += s.stored_bytes;
  });
  return { segments: segments.length, bytes, problems: problems.sort() };
}

async function verifySegment(storage: StorageBackend, s: SegmentEntry, deep: boolean): Promise<string | undefined> {
  try {
    const info = await storage.head(s.key);
    if (!info) return 'missing';
    if (info.size !== s.stored_bytes) return `size ${info.size} differs from the manifest's ${s.stored_bytes}`;
    if (!deep) return undefined;
    const hash = createHash('sha256');
    for (let pos = 0; pos < info.size; pos += HASH_CHUNK) {
      hash.update(await storage.get(s.key, { start: pos, end: Math.min(info.size, pos + HASH_CHUNK) }));
    }
    const digest = hash.digest('hex');
    if (digest !== s.sha256) return `sha256 ${digest} differs from the manifest's ${s.sha256}`;
    const reader = await SegmentReader.open(storage, s.key, { size: s.stored_bytes });
    let records = 0;
    let batches = 0;
    for await (const b of reader.batches()) {
      batches++;
      if (!b.header.isControl) records += b.header.recordCount;
    }
    if (records !== s.record_count) return `holds ${records} records, the manifest says ${s.record_count}`;
    if (batches !== s.batch_count) return `holds ${batches} batches, the manifest says ${s.batch_count}`;
    return undefined;
  } catch (err) {
    if (isKafkaBackupError(err, 'STORAGE_NOT_FOUND')) return 'missing';
    return describeError(err);
  }
}
