// The read-back of "checked before written" (docs/design.md, invariant 23): every segment a
// restore will read, read back with inspect/verify.ts (sha256 and every block), partition by
// partition so that each problem names its partition. `restore --verify-first` writes nothing
// when one fails; `validate-restore` lists them and leaves the damaged partitions out of the
// checks that read records. The cheap check (presence and size) is planRestore's inventory.
import { verifyPartitions } from '../../../inspect/verify.js';
import type { StorageBackend } from '../../../storage/backend.js';
import { runPool } from '../../shared/pool.js';
import type { RestorePartitionPlan } from './plan.js';

export interface SegmentCheck {
  segments: number;
  /** One per damaged segment: "<topic>/<partition>: segment <key>: <what is wrong>", sorted. */
  problems: string[];
  /** The partitions with at least one damaged segment. */
  damaged: Set<RestorePartitionPlan>;
}

export async function checkRestoreSegments(storage: StorageBackend, partitions: readonly RestorePartitionPlan[]): Promise<SegmentCheck> {
  const out: SegmentCheck = { segments: 0, problems: [], damaged: new Set() };
  // 2 partitions × 2 segments in flight, each read holding an 8 MiB chunk. Every call goes
  // through the storage stack, so storage.max_concurrency bounds them all.
  await runPool(partitions, 2, async (p) => {
    const result = await verifyPartitions(storage, [p.manifest], { deep: true, concurrency: 2 });
    out.segments += result.segments;
    if (result.problems.length > 0) out.damaged.add(p);
    out.problems.push(...result.problems.map((problem) => `${p.sourceTopic}/${p.partition}: segment ${problem}`));
  });
  out.problems.sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
  return out;
}
