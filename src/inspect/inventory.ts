// What a backup consists of, and what of it is missing or unreadable: the one answer that verify,
// validate-restore, restore (planRestore) and status share, so a damaged backup is damaged for all
// of them alike.
//
// Expected objects: backup.json; a manifest for every partition the descriptor lists (it lists a
// topic only once all its partitions have manifests, see BackupRun.recordTopics, so a listed
// partition without one is damage, never a run in progress); every segment a manifest lists, with
// its recorded size. Manifests the descriptor does not list yet (a run between creating them and
// recording its topics) are part of the backup, not damage.
//
// Anything expected but absent from the listing is confirmed with head() before it is reported:
// objects created after the listing (a live backup) are not damage.
import { describeError, isKafkaBackupError } from '../errors.js';
import { readDescriptor, type BackupDescriptor } from '../format/descriptor.js';
import { backupPrefix, descriptorKey, manifestKey, parseManifestKey } from '../format/layout.js';
import { readManifest, type PartitionManifest, type SegmentEntry } from '../format/manifest.js';
import { runPool } from '../pipeline/shared/pool.js';
import type { ObjectInfo, StorageBackend } from '../storage/backend.js';

export type DamageKind = 'descriptor_missing' | 'descriptor_unreadable' | 'manifest_missing' | 'manifest_unreadable' | 'segment_missing' | 'segment_size';

/** One missing or unreadable object; `message` names the partition (if any) and the object key. */
export interface Damage {
  kind: DamageKind;
  key: string;
  topic?: string;
  partition?: number;
  message: string;
}

export interface InventoryPartition {
  topic: string;
  partition: number;
  /** undefined when the manifest is missing or unreadable (see damage). */
  manifest?: PartitionManifest;
}

export interface BackupInventory {
  id: string;
  /** undefined when backup.json is missing or unreadable (see damage). */
  descriptor?: BackupDescriptor;
  /** Whether any object of the backup exists at all. */
  exists: boolean;
  /** Every partition expected (the descriptor's) or present (a manifest key), by topic then number. */
  partitions: InventoryPartition[];
  /** Descriptor damage first, then per partition in partition order. */
  damage: Damage[];
}

type DescriptorRead = { descriptor: BackupDescriptor } | { damage: Damage } | undefined;

/** The inventory of one backup: reads its descriptor, lists its objects, reads its manifests. */
export async function takeInventory(storage: StorageBackend, id: string): Promise<BackupInventory> {
  const read = await tryReadDescriptor(storage, id);
  const objects = new Map<string, ObjectInfo>();
  for await (const o of storage.list(backupPrefix(id))) objects.set(o.key, o);
  return assess(storage, id, read, objects);
}

/**
 * The inventory of every backup at the location, from one listing: each top-level folder named
 * like a backup id that holds a backup.json or a topics/ folder.
 */
export async function inventoryLocation(storage: StorageBackend): Promise<BackupInventory[]> {
  const folders = new Map<string, Map<string, ObjectInfo>>();
  for await (const o of storage.list('')) {
    const slash = o.key.indexOf('/');
    if (slash <= 0) continue;
    const id = o.key.slice(0, slash);
    let objects = folders.get(id);
    if (!objects) folders.set(id, (objects = new Map()));
    objects.set(o.key, o);
  }
  const out: BackupInventory[] = [];
  for (const [id, objects] of folders) {
    if (!isBackupFolder(id, objects)) continue;
    out.push(await assess(storage, id, await tryReadDescriptor(storage, id), objects));
  }
  return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

function isBackupFolder(id: string, objects: Map<string, ObjectInfo>): boolean {
  let prefix: string;
  try {
    prefix = backupPrefix(id);
  } catch {
    return false; // not a valid backup id: some other folder
  }
  return objects.has(descriptorKey(id)) || [...objects.keys()].some((k) => k.startsWith(`${prefix}topics/`));
}

/** The descriptor, its damage when it is unreadable, or undefined when it does not exist. */
async function tryReadDescriptor(storage: StorageBackend, id: string): Promise<DescriptorRead> {
  try {
    const read = await readDescriptor(storage, id);
    return read && { descriptor: read.descriptor };
  } catch (err) {
    if (!isKafkaBackupError(err, 'BACKUP_CORRUPT') && !isKafkaBackupError(err, 'FORMAT_UNSUPPORTED')) throw err;
    return { damage: { kind: 'descriptor_unreadable', key: descriptorKey(id), message: describeError(err) } };
  }
}

async function assess(storage: StorageBackend, id: string, read: DescriptorRead, objects: Map<string, ObjectInfo>): Promise<BackupInventory> {
  const descriptor = read && 'descriptor' in read ? read.descriptor : undefined;
  const damage: Damage[] = [];
  const present = new Map<string, { topic: string; partition: number }>();
  for (const key of objects.keys()) {
    const ref = parseManifestKey(key);
    if (ref && ref.id === id) present.set(key, { topic: ref.topic, partition: ref.partition });
  }
  const exists = read !== undefined || objects.size > 0;
  if (read && 'damage' in read) damage.push(read.damage);
  else if (!read && exists) {
    damage.push({
      kind: 'descriptor_missing',
      key: descriptorKey(id),
      message:
        `backup descriptor ${descriptorKey(id)} is missing (the backup holds ${present.size} partition manifest(s)); ` +
        'without it the partitions the backup should hold, their topic configs and its run history are unknown',
    });
  }

  // Expected: every partition the descriptor lists; present: every manifest key.
  const partitions = new Map<string, InventoryPartition>();
  for (const [key, ref] of present) partitions.set(key, { ...ref });
  for (const t of descriptor?.topics ?? []) {
    for (let p = 0; p < t.partitions; p++) {
      const key = manifestKey(id, t.name, p);
      if (!partitions.has(key)) partitions.set(key, { topic: t.name, partition: p });
    }
  }
  const ordered = [...partitions.entries()].sort(([, a], [, b]) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition));
  const perPartition = new Map<string, Damage[]>();
  await runPool(ordered, 16, async ([key, part]) => {
    const found: Damage[] = [];
    perPartition.set(key, found);
    const ref = { topic: part.topic, partition: part.partition };
    const where = `${part.topic}/${part.partition}`;
    const listedCount = descriptor?.topics.find((t) => t.name === part.topic)?.partitions;
    const missing = () => found.push({ kind: 'manifest_missing', key, ...ref, message: missingManifest(where, key, part.topic, listedCount) });
    if (!present.has(key) && !(await storage.head(key))) {
      missing();
      return;
    }
    let manifest: PartitionManifest | undefined;
    try {
      manifest = (await readManifest(storage, id, part.topic, part.partition))?.manifest;
    } catch (err) {
      if (!isKafkaBackupError(err, 'BACKUP_CORRUPT') && !isKafkaBackupError(err, 'FORMAT_UNSUPPORTED')) throw err;
      found.push({ kind: 'manifest_unreadable', key, ...ref, message: `${where}: ${describeError(err)}` });
      return;
    }
    if (!manifest) {
      missing();
      return;
    }
    part.manifest = manifest;
    for (const s of manifest.segments) {
      const problem = await segmentDamage(storage, objects, s);
      if (problem) found.push({ ...problem, ...ref, message: `${where}: ${problem.message}` });
    }
  });
  for (const [key] of ordered) damage.push(...perPartition.get(key)!);
  return { id, ...(descriptor ? { descriptor } : {}), exists, partitions: ordered.map(([, p]) => p), damage };
}

function missingManifest(where: string, key: string, topic: string, listedCount: number | undefined): string {
  const listed = listedCount === undefined ? '' : ` (backup.json lists ${listedCount} partition(s) of ${topic})`;
  return `${where}: partition manifest ${key} is missing${listed}; the partition's records cannot be restored`;
}

async function segmentDamage(storage: StorageBackend, objects: Map<string, ObjectInfo>, s: SegmentEntry): Promise<Damage | undefined> {
  // What the listing lacks or shows otherwise is asked again: it may be older than the manifest.
  let size = objects.get(s.key)?.size;
  if (size !== s.stored_bytes) size = (await storage.head(s.key))?.size;
  const range = `offsets ${s.base_offset}..${s.last_offset}, ${s.record_count} records`;
  if (size === undefined) return { kind: 'segment_missing', key: s.key, message: `segment ${s.key} (${range}) is listed in its manifest but missing` };
  if (size !== s.stored_bytes) return { kind: 'segment_size', key: s.key, message: `segment ${s.key} (${range}) holds ${size} bytes, its manifest says ${s.stored_bytes}` };
  return undefined;
}

/** The segment keys a damage list already names as missing or of the wrong size. */
export function damagedSegments(damage: Damage[]): Set<string> {
  return new Set(damage.filter((d) => d.kind === 'segment_missing' || d.kind === 'segment_size').map((d) => d.key));
}
