// Generates test/golden/v1/ ONCE. Not run by tests. Never re-run it for an existing version: the
// committed files stand for backups already in storage (see README.md).
//
//   npx tsc -p tsconfig.json && node dist/test/golden/generate.js --write
//
// Without --write it does nothing: `node --test dist/test/` runs every file under a test/ folder,
// this one included. With it, it still refuses to run when v1/ exists.

import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { createCodec, type CodecName } from '../../src/codec/index.js';
import { writeDescriptor } from '../../src/format/descriptor.js';
import { segmentKey } from '../../src/format/layout.js';
import { commitSegment, emptyManifest, recordGap, writeManifest } from '../../src/format/manifest.js';
import { OffsetMapBuilder, writeRestoreState } from '../../src/format/restore-state.js';
import { SegmentWriter } from '../../src/format/segment-writer.js';
import { readBatchHeader, type RawBatch } from '../../src/records/batch.js';
import { FilesystemBackend } from '../../src/storage/filesystem/backend.js';
import { GOLDEN_BLOCK_MAX_BYTES, GOLDEN_TIME, segmentOneBatches, segmentTwoBatches } from './batches.js';

const root = fileURLToPath(new URL('../../../test/golden/v1/', import.meta.url));
const TOPIC = 'orders';
const at = GOLDEN_TIME.toISOString();

export interface ExpectedBatch {
  segment: string;
  baseOffset: number;
  lastOffset: number;
  sha256: string;
}

async function writeBackup(storage: FilesystemBackend, codec: CodecName): Promise<ExpectedBatch[]> {
  const id = `${codec}-backup`;
  const expected: ExpectedBatch[] = [];
  const offsets = new OffsetMapBuilder();
  let manifest = emptyManifest(TOPIC, 0, GOLDEN_TIME);
  for (const [segment, bytes] of [await segmentOneBatches(), segmentTwoBatches()].entries()) {
    const batches: RawBatch[] = bytes.map((b) => ({ header: readBatchHeader(b, 0), bytes: b }));
    const key = segmentKey(id, TOPIC, 0, batches[0]!.header.baseOffset);
    const writer = new SegmentWriter({ key, out: storage.createWriter(key), codec: createCodec(codec, 3), blockMaxBytes: GOLDEN_BLOCK_MAX_BYTES });
    await writer.append(batches);
    const summary = await writer.finish();
    const last = batches.at(-1)!.header.lastOffset;
    if (segment === 1) manifest = recordGap(manifest, manifest.next_offset, batches[0]!.header.baseOffset, 'log_start_moved', GOLDEN_TIME);
    manifest = commitSegment(manifest, summary, last + 1, GOLDEN_TIME);
    for (const { header, bytes: b } of batches) {
      expected.push({ segment: key, baseOffset: header.baseOffset, lastOffset: header.lastOffset, sha256: createHash('sha256').update(b).digest('hex') });
    }
    // The restore state below pretends every data batch was restored, contiguously from target 0.
    for (const { header } of batches) {
      if (header.isControl || header.recordCount === 0) continue;
      const target = offsets.runs.reduce((n, [sf, sl]) => n + sl - sf + 1, 0);
      if (header.recordCount === header.lastOffset - header.baseOffset + 1) offsets.add(header.baseOffset, header.lastOffset, target);
      // The compacted batch of segmentOneBatches() kept every second offset.
      else for (let k = 0; k < header.recordCount; k++) offsets.add(header.baseOffset + 2 * k, header.baseOffset + 2 * k, target + k);
    }
  }
  await writeManifest(storage, id, manifest, { create: true });
  await writeDescriptor(
    storage,
    {
      format_version: 1,
      backup_id: id,
      created_at: at,
      updated_at: at,
      state: 'complete',
      mode: 'snapshot',
      owner: { run_id: 'golden-run-1', host: 'golden-host', pid: 1, heartbeat_at: at, heartbeat_interval_ms: 30000 },
      source: { cluster_id: 'GoldenCluster000000000', bootstrap_servers: ['kafka-1:9092'] },
      compression: { codec, level: codec === 'zstd' ? 3 : 0 },
      topics: [{ name: TOPIC, partitions: 1 }],
      runs: [{ run_id: 'golden-run-1', started_at: at, ended_at: at, result: 'complete' }],
      error: null,
    },
    { create: true },
  );
  const runs = offsets.runs;
  await writeRestoreState(
    storage,
    {
      format_version: 1,
      backup_id: id,
      source_topic: TOPIC,
      source_partition: 0,
      target_cluster_id: 'TargetCluster000000000',
      target_topic: 'orders-restored',
      target_partition: 0,
      state: 'complete',
      target_start_offset: 0,
      records_written: runs.reduce((n, [sf, sl]) => n + sl - sf + 1, 0),
      offset_map: runs,
      started_at: at,
      updated_at: at,
    },
    { create: true },
  );
  return expected;
}

async function main(): Promise<void> {
  if (!process.argv.includes('--write')) {
    console.log('golden generator: pass --write to generate test/golden/v1/ (only when it does not exist)');
    return;
  }
  if (existsSync(root)) throw new Error(`${root} exists: golden files are generated once and never rewritten`);
  const storage = new FilesystemBackend(root);
  const expected: Record<string, ExpectedBatch[]> = {};
  for (const codec of ['none', 'zstd', 'lz4'] as const) expected[`${codec}-backup`] = await writeBackup(storage, codec);
  await writeFile(`${root}expected-batches.json`, `${JSON.stringify(expected, null, 2)}\n`);
  console.log(`wrote ${root}`);
}

await main();
