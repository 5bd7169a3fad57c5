// Backups for the inspect tests: the golden v1 location in memory, and backups built with the real
// writers (descriptor, manifests, segments).
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FORMAT_VERSION } from '../../src/format/constants.js';
import { writeDescriptor, type BackupDescriptor } from '../../src/format/descriptor.js';
import { segmentKey } from '../../src/format/layout.js';
import { commitSegment, emptyManifest, recordGap, writeManifest, type PartitionManifest } from '../../src/format/manifest.js';
import { readBatchHeader, type RawBatch } from '../../src/records/batch.js';
import { writeSegment } from '../format/helpers.js';
import { buildBatch, sequentialRecords } from '../records/build.js';
import { MemoryBackend } from '../storage/memory-backend.js';

const golden = fileURLToPath(new URL('../../../test/golden/v1/', import.meta.url));

/** The golden storage location (three complete backups) loaded into a memory backend. */
export async function goldenStorage(): Promise<MemoryBackend> {
  const storage = new MemoryBackend();
  for (const entry of await readdir(golden, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    const key = relative(golden, path).split(sep).join('/');
    if (!key.includes('/')) continue; // expected-batches.json is the test's, not a backup's
    await storage.put(key, await readFile(path));
  }
  return storage;
}

export const NOW = Date.parse('2026-02-01T12:00:00.000Z');
export const iso = (ms: number) => new Date(ms).toISOString();

/** A running continuous backup's descriptor with a fresh heartbeat at NOW. */
export function descriptorOf(id: string, overrides: Partial<BackupDescriptor> = {}): BackupDescriptor {
  return {
    format_version: FORMAT_VERSION,
    backup_id: id,
    created_at: iso(NOW - 3_600_000),
    updated_at: iso(NOW - 1_000),
    state: 'running',
    mode: 'continuous',
    owner: { run_id: 'r1', host: 'h', pid: 1, heartbeat_at: iso(NOW - 1_000), heartbeat_interval_ms: 10_000 },
    source: { cluster_id: 'Src', bootstrap_servers: ['k:9092'] },
    compression: { codec: 'none', level: 0 },
    topics: [{ name: 'a', partitions: 1 }, { name: 'b', partitions: 11 }],
    runs: [{ run_id: 'r1', started_at: iso(NOW - 3_600_000), ended_at: null, result: 'running' }],
    error: null,
    ...overrides,
  };
}

const raw = (bytes: Buffer): RawBatch => ({ header: readBatchHeader(bytes, 0), bytes });

/** Commits one segment per batch list to the partition's manifest, in order. */
export async function writePartition(storage: MemoryBackend, id: string, topic: string, p: number, segments: Buffer[][], gapTo?: number): Promise<PartitionManifest> {
  let m: PartitionManifest = emptyManifest(topic, p);
  if (gapTo !== undefined) m = recordGap(m, 0, gapTo, 'log_start_moved');
  for (const batches of segments) {
    const first = readBatchHeader(batches[0]!, 0);
    const last = readBatchHeader(batches.at(-1)!, 0);
    const key = segmentKey(id, topic, p, first.baseOffset);
    const summary = await writeSegment(storage, key, 'none', batches.map(raw), 1 << 20);
    m = commitSegment(m, summary, last.lastOffset + 1);
  }
  await writeManifest(storage, id, m, { create: true });
  return m;
}

const T = Date.parse('2026-01-15T00:00:00.000Z');

/** A complete backup of topic t (3 partitions, two segments each; partition 2 empty) and topic u (1). */
export async function threePartitions(storage = new MemoryBackend(), id = 'nightly'): Promise<MemoryBackend> {
  await writeDescriptor(storage, descriptorOf(id, { state: 'complete', topics: [{ name: 't', partitions: 3 }, { name: 'u', partitions: 1 }] }), { create: true });
  for (const p of [0, 1]) {
    await writePartition(storage, id, 't', p, [
      [buildBatch({ baseOffset: 0, records: sequentialRecords(3, T) })],
      [buildBatch({ baseOffset: 3, records: sequentialRecords(2, T + 1000) })],
    ]);
  }
  await writePartition(storage, id, 't', 2, []);
  await writePartition(storage, id, 'u', 0, [[buildBatch({ baseOffset: 0, records: sequentialRecords(1, T) })]]);
  return storage;
}
