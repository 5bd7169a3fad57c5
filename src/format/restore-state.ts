// The restore state of one target partition (docs/format.md "Restore state") and its offset map:
// runs [source_first, source_last, target_first] meaning source offsets source_first..source_last
// (all restored) landed at target_first.. in order.

import { z } from 'zod';
import { KafkaBackupError } from '../errors.js';
import type { StorageBackend } from '../storage/backend.js';
import { FORMAT_VERSION } from './constants.js';
import { readJsonObject, writeJsonObject, type WriteJsonOptions } from './json-object.js';
import { restoreStateKey } from './layout.js';

const offset = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const isoTime = z.iso.datetime();

export type OffsetMapRun = [sourceFirst: number, sourceLast: number, targetFirst: number];

export const restoreStateSchema = z.object({
  format_version: z.literal(FORMAT_VERSION),
  backup_id: z.string().min(1),
  source_topic: z.string().min(1),
  source_partition: z.number().int().min(0),
  target_cluster_id: z.string().min(1),
  target_topic: z.string().min(1),
  target_partition: z.number().int().min(0),
  state: z.enum(['in_progress', 'complete']),
  target_start_offset: offset,
  records_written: offset,
  offset_map: z.array(z.tuple([offset, offset, offset])),
  started_at: isoTime,
  updated_at: isoTime,
});

export type RestoreState = z.infer<typeof restoreStateSchema>;

const WHAT = 'restore state';

/** Why a map is not ordered and compact-able, or undefined when it is sound. */
export function offsetMapProblem(map: readonly OffsetMapRun[]): string | undefined {
  let prev: OffsetMapRun | undefined;
  for (const [i, run] of map.entries()) {
    const [sf, sl, tf] = run;
    if (sl < sf) return `run ${i} is reversed`;
    if (prev && (sf <= prev[1] || tf < prev[2] + (prev[1] - prev[0]) + 1)) return `run ${i} overlaps the previous run`;
    prev = run;
  }
  return undefined;
}

export async function readRestoreState(
  storage: StorageBackend,
  id: string,
  clusterId: string,
  targetTopic: string,
  p: number,
): Promise<{ state: RestoreState; etag: string } | undefined> {
  const key = restoreStateKey(id, clusterId, targetTopic, p);
  const read = await readJsonObject(storage, key, WHAT, restoreStateSchema);
  if (!read) return undefined;
  const s = read.value;
  const problem =
    s.backup_id !== id || s.target_cluster_id !== clusterId || s.target_topic !== targetTopic || s.target_partition !== p
      ? 'it names another backup or target partition'
      : offsetMapProblem(s.offset_map);
  if (problem) throw new KafkaBackupError('BACKUP_CORRUPT', `${WHAT} ${key} is invalid: ${problem}`, { key });
  return { state: s, etag: read.etag };
}

export async function writeRestoreState(
  storage: StorageBackend,
  state: RestoreState,
  options: WriteJsonOptions = {},
): Promise<string> {
  const key = restoreStateKey(state.backup_id, state.target_cluster_id, state.target_topic, state.target_partition);
  const problem = offsetMapProblem(state.offset_map);
  if (problem) throw new KafkaBackupError('INTERNAL', `refusing to write ${WHAT} ${key}: ${problem}`, { key });
  return writeJsonObject(storage, key, WHAT, state, restoreStateSchema, options);
}

/** Builds a compact offset map as records are restored in source-offset order. */
export class OffsetMapBuilder {
  readonly #runs: OffsetMapRun[];

  /** Start from an existing map (a resumed restore) or empty. */
  constructor(initial: readonly OffsetMapRun[] = []) {
    const problem = offsetMapProblem(initial);
    if (problem) throw new KafkaBackupError('INTERNAL', `invalid offset map: ${problem}`);
    this.#runs = initial.map((r) => [r[0], r[1], r[2]]);
  }

  /** Record that source offsets sourceFirst..sourceLast were written from targetFirst on. */
  add(sourceFirst: number, sourceLast: number, targetFirst: number): void {
    const prev = this.#runs.at(-1);
    if (sourceLast < sourceFirst) throw new KafkaBackupError('INTERNAL', `reversed source range ${sourceFirst}..${sourceLast}`);
    if (prev) {
      const prevTargetNext = prev[2] + (prev[1] - prev[0]) + 1;
      if (sourceFirst <= prev[1] || targetFirst < prevTargetNext) {
        throw new KafkaBackupError(
          'INTERNAL',
          `offset map run [${sourceFirst}, ${sourceLast}, ${targetFirst}] does not follow [${prev.join(', ')}]`,
        );
      }
      if (sourceFirst === prev[1] + 1 && targetFirst === prevTargetNext) {
        prev[1] = sourceLast;
        return;
      }
    }
    this.#runs.push([sourceFirst, sourceLast, targetFirst]);
  }

  /** A copy of the runs so far, ready for RestoreState.offset_map. */
  get runs(): OffsetMapRun[] {
    return this.#runs.map((r) => [r[0], r[1], r[2]]);
  }
}

/** Index of the first run whose sourceLast >= sourceOffset, or map.length. */
function firstRunEndingAtOrAfter(map: readonly OffsetMapRun[], sourceOffset: number): number {
  let lo = 0;
  let hi = map.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (map[mid]![1] < sourceOffset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Where a source offset was restored, or undefined when it was not (a marker, a gap). */
export function lookup(map: readonly OffsetMapRun[], sourceOffset: number): number | undefined {
  const run = map[firstRunEndingAtOrAfter(map, sourceOffset)];
  if (!run || sourceOffset < run[0]) return undefined;
  return run[2] + (sourceOffset - run[0]);
}

/**
 * Target offset of the first restored record whose source offset is >= `committedSourceOffset`,
 * or undefined when none is: how a consumer group's committed offset translates to the target.
 */
export function nextTargetFor(map: readonly OffsetMapRun[], committedSourceOffset: number): number | undefined {
  const run = map[firstRunEndingAtOrAfter(map, committedSourceOffset)];
  if (!run) return undefined;
  return run[2] + Math.max(0, committedSourceOffset - run[0]);
}
