// Where each partition of a restore stands when the run ends, completed or stopped: complete,
// partial (how far it got) or not started. The end summary (text and --json) shows it, so a user
// knows what a rerun does: complete partitions are skipped, partial ones continue after the
// records already in the target, the others start.
import type { RestoreState } from '../../format/restore-state.js';
import type { RestorePartitionPlan } from './checks/plan.js';
import type { PartitionTargetStatus } from './checks/preflight.js';

export type PartitionRestoreState = 'complete' | 'partial' | 'not_started';

export interface PartitionOutcome {
  /** topic/partition in the backup. */
  source: string;
  /** topic/partition in the target cluster. */
  target: string;
  state: PartitionRestoreState;
  /** Records this restore put in the target partition, earlier runs included. */
  records_written: number;
  /** One past the last source offset in the target: where the rerun goes on; null when complete. */
  next_source_offset: number | null;
  /** Why a partial partition stopped; null otherwise. */
  stopped_by: StopReason | null;
  /** The error that stopped it (stopped_by 'error'); null otherwise. */
  error: string | null;
}

/**
 * error: this partition failed; another_partition: stopped because another one failed; signal:
 * SIGINT/SIGTERM; earlier_run: an earlier run left it partial and this one did not get to it.
 */
export type StopReason = 'error' | 'another_partition' | 'signal' | 'earlier_run';

export interface RestoreOutcome {
  complete: PartitionOutcome[];
  partial: PartitionOutcome[];
  not_started: PartitionOutcome[];
}

export class RestoreProgress {
  readonly #partitions: PartitionOutcome[] = [];

  /** Registers a planned partition, with what an earlier run left; returns its live outcome. */
  add(p: RestorePartitionPlan, target: PartitionTargetStatus | undefined): PartitionOutcome {
    const prior = target?.prior;
    const outcome: PartitionOutcome = {
      source: `${p.sourceTopic}/${p.partition}`,
      target: `${p.targetTopic}/${p.partition}`,
      state: 'not_started',
      records_written: 0,
      next_source_offset: firstOffset(p),
      stopped_by: null,
      error: null,
    };
    if (prior?.state === 'complete') {
      outcome.state = 'complete';
      outcome.records_written = prior.records_written;
      outcome.next_source_offset = null;
    } else if (prior) {
      outcome.state = 'partial';
      // The target's end says exactly how many records are in (the restore is the only writer).
      outcome.records_written = target?.endOffset !== undefined ? target.endOffset - prior.target_start_offset : prior.records_written;
      outcome.next_source_offset = nextSourceOffset(prior.offset_map) ?? firstOffset(p);
      outcome.stopped_by = 'earlier_run';
    }
    this.#partitions.push(outcome);
    return outcome;
  }

  outcome(): RestoreOutcome {
    const sorted = [...this.#partitions].sort((a, b) => a.target.localeCompare(b.target, undefined, { numeric: true }));
    return {
      complete: sorted.filter((p) => p.state === 'complete'),
      partial: sorted.filter((p) => p.state === 'partial'),
      not_started: sorted.filter((p) => p.state === 'not_started'),
    };
  }
}

/** One past the last source offset an offset map covers. */
export function nextSourceOffset(map: RestoreState['offset_map']): number | undefined {
  const last = map.at(-1);
  return last ? last[1] + 1 : undefined;
}

function firstOffset(p: RestorePartitionPlan): number {
  return p.manifest.segments[0]?.base_offset ?? p.manifest.next_offset;
}
