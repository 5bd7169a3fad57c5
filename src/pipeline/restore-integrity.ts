// The backup side of "checked before written" (docs/design.md, invariant 23): every segment a
// restore will read, checked with inspect/verify.ts (quick: it exists with the size its manifest
// records, one head each; deep: sha256 and every block read back), partition by partition so that
// each problem names its partition. `restore --verify-first` writes nothing when one fails (the
// cheap check is planRestore's inventory); `validate-restore` lists them and leaves the damaged
// partitions out of the checks that read records.
import { verifyPartitions } from '../inspect/verify.js';
import type { StorageBackend } from '../storage/backend.js';
import { runPool } from './pool.js';
import type { RestorePartitionPlan } from './restore-plan.js';

export interface SegmentCheck {
  segments: number;
  /** One per damaged segment: "<topic>/<partition>: segment <key>: <what is wrong>", sorted. */
  problems: string[];
  /** The partitions with at least one damaged segment. */
  damaged: Set<RestorePartitionPlan>;
}

export async function checkRestoreSegments(storage: StorageBackend, partitions: readonly RestorePartitionPlan[], deep: boolean): Promise<SegmentCheck> {
  const out: SegmentCheck = { segments: 0, problems: [], damaged: new Set() };
  // Partitions × segments in flight: 4 × 8 heads, or 2 × 2 full reads (each holds an 8 MiB chunk).
  // Every call goes through the storage stack, so storage.max_concurrency bounds them all.
  await runPool(partitions, deep ? 2 : 4, async (p) => {
    const result = await verifyPartitions(storage, [p.manifest], { deep, concurrency: deep ? 2 : 8 });
    out.segments += result.segments;
    if (result.problems.length > 0) out.damaged.add(p);
    out.problems.push(...result.problems.map((problem) => `${p.sourceTopic}/${p.partition}: segment ${problem}`));
  });
  out.problems.sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
  return out;
}
