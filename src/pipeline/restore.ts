// The restore pipeline, the whole data flow in one file (the backup pipeline in reverse):
//
//   partition manifest → segments (ranged reads, block CRCs)   src/format/
//     → blocks, decompressed                                  src/codec/
//     → record batches, producer fields restamped             src/pipeline/produce-batcher.ts
//     → rate limits, one limiter for all partitions           src/pipeline/rate-limit.ts
//     → Kafka (raw Produce, idempotent, in order)             src/pipeline/partition-producer.ts
//     → restore state + offset map (resume point)              src/format/restore-state.ts
//
// Before producing to a partition the restore records where the target partition ended
// (target_start_offset). It is the partition's only writer, so after a crash the target's end
// offset says exactly how many records were written; a rerun skips that many and goes on.
import type { Logger } from 'pino';
import type { Config } from '../config/types.js';
import { KafkaBackupError, describeError, isKafkaBackupError } from '../errors.js';
import { FORMAT_VERSION } from '../format/constants.js';
import { OffsetMapBuilder, writeRestoreState, type RestoreState } from '../format/restore-state.js';
import { SegmentReader } from '../format/segment-reader.js';
import type { KafkaSink } from '../kafka/sink.js';
import type { ProducerIdentity } from '../kafka/transport.js';
import { provenanceHeaders } from '../records/provenance.js';
import type { StorageBackend } from '../storage/backend.js';
import { PartitionProducer, type ProducerSinkOps } from './partition-producer.js';
import { runPool } from './pool.js';
import { ProduceBatcher, type OutgoingBatch } from './produce-batcher.js';
import { RateLimiter } from './rate-limit.js';
import { blockInWindow, blockMayMatch, restoreFilterFor } from './restore-filter.js';
import { applyGroupOffsets } from './offsets-apply.js';
import { groupPreflight, restoredOffsetsPlan } from './offsets-preflight.js';
import { checkRestoreSegments } from './restore-integrity.js';
import { planRestore, type RestorePartitionPlan, type RestorePlan } from './restore-plan.js';
import { partitionKey, preflight, type PartitionTargetStatus, type Preflight } from './restore-preflight.js';
import { RestoreProgress, nextSourceOffset, type PartitionOutcome } from './restore-progress.js';
import { TransferStats } from './stats.js';
import { batchTargetFor, type BatchTarget } from './batch-target.js';
import { checkTargetLimits } from './target-checks.js';

export interface RestoreDeps {
  config: Config;
  sink: KafkaSink & ProducerSinkOps;
  storage: StorageBackend;
  log: Logger;
  signal: AbortSignal;
  stats?: TransferStats;
  /** Filled in as partitions progress: what the end summary says, also when the run fails. */
  progress?: RestoreProgress;
  /** Read back every segment the restore will read (sha256, every block) before writing anything. */
  verifyFirst?: boolean;
}

export async function runRestore(deps: RestoreDeps): Promise<TransferStats> {
  const { config, sink, storage, log } = deps;
  const stats = deps.stats ?? new TransferStats();
  const progress = deps.progress ?? new RestoreProgress();
  const plan = await planRestore(config, storage);
  const check = await preflight(config, plan, sink, storage);
  const outcomes = new Map(plan.partitions.map((p) => [p, progress.add(p, check.partitions.get(partitionKey(p.targetTopic, p.partition)))]));
  // Checked before written (docs/design.md, invariant 23): planRestore refused a backup with a
  // missing or unreadable object or a segment of the wrong size; --verify-first reads every
  // segment back before the first write.
  const damaged = deps.verifyFirst === true ? await readBack(deps, plan, check) : undefined;
  if (damaged) {
    const target = check.problems.length > 0 ? `\nthe target has problems too:\n  - ${check.problems.join('\n  - ')}` : '';
    throw new KafkaBackupError('BACKUP_CORRUPT', damaged.message + target, { problems: [...damaged.problems, ...check.problems] });
  }
  const groups = await groupPreflight(config, plan, storage, sink, check, false);
  // Target limits (docs/restore-targets.md): refused timestamps stop the restore, retention losses are warned about.
  const targets = await checkTargetLimits(config, plan, check, sink, storage);
  check.warnings.push(...targets.warnings, ...targets.losses.map((l) => ({ topic: l.topic, kind: 'note' as const, message: `data loss: ${l.message}` })));
  const problems = [...check.problems, ...(groups?.problems ?? []), ...targets.problems];
  if (problems.length > 0) {
    throw new KafkaBackupError('RESTORE_CONFLICT', `the restore cannot start:\n  - ${problems.join('\n  - ')}`);
  }
  for (const w of check.warnings) log.warn({ topic: w.topic }, w.message);
  for (const w of groups?.warnings ?? []) log.warn(w);
  // The checks (a --verify-first read-back above all) can take long: a signal during them stops
  // the restore before its first write.
  if (deps.signal.aborted) throw interrupted();
  if (check.createTopics.length > 0) {
    log.info({ topics: check.createTopics.map((t) => `${t.name} (${t.partitions} partitions)`) }, 'creating target topics');
    await sink.createTopics(check.createTopics);
  }
  const identity = await sink.initProducer();
  stats.partitionsTotal = plan.partitions.length;
  log.info({ backup_id: config.backup_id, partitions: plan.partitions.length, target_cluster: check.clusterId }, 'restore started');

  // One limiter for the run: the rate limits are totals over all partitions.
  const limiter = new RateLimiter({ recordsPerSec: config.restore.rate_limit_records_per_sec, bytesPerSec: config.restore.rate_limit_bytes_per_sec });
  // The first partition to fail stops the others promptly (each stores how far it got, so a rerun
  // resumes); partitions not started by then stay untouched.
  const failed = new AbortController();
  const run: PartitionRun = { clusterId: check.clusterId, identity, stats, limiter, stop: AbortSignal.any([deps.signal, failed.signal]), failed };
  await runPool(plan.partitions, config.restore.max_concurrent_partitions, async (p) => {
    if (run.stop.aborted) return;
    const target = check.partitions.get(partitionKey(p.targetTopic, p.partition))!;
    try {
      await restorePartition(p, target, batchTargetFor(config, p, targets.limits.get(p.targetTopic)), outcomes.get(p)!, deps, run);
    } catch (err) {
      failed.abort(err);
      throw err;
    }
  });
  if (deps.signal.aborted) throw interrupted();
  if (groups) await commitGroups(deps, plan, check.clusterId, stats);
  log.info(stats.summary(), 'restore complete');
  return stats;
}

/**
 * Before anything is written: every segment of the partitions still to restore exists with the
 * size its manifest records, or with verifyFirst reads back intact (sha256 and every block).
 * Every problem is listed, or undefined when there is none.
 */
async function readBack(deps: RestoreDeps, plan: RestorePlan, check: Preflight): Promise<{ message: string; problems: string[] } | undefined> {
  const pending = plan.partitions.filter((p) => check.partitions.get(partitionKey(p.targetTopic, p.partition))?.prior?.state !== 'complete');
  deps.log.info({ partitions: pending.length, bytes: pending.reduce((n, p) => n + p.storedBytes, 0) }, 'reading back every segment the restore will read (--verify-first)');
  const { segments, problems } = await checkRestoreSegments(deps.storage, pending);
  if (problems.length === 0) return undefined;
  return {
    message: `backup "${deps.config.backup_id}" cannot be restored: ${problems.length} of ${segments} segments fail the read-back; nothing was written:\n  - ${problems.join('\n  - ')}`,
    problems,
  };
}

function interrupted(): KafkaBackupError {
  return new KafkaBackupError('INTERRUPTED', 'restore stopped by a signal; run it again to resume where it stopped');
}

/** After the data: the consumer groups' translated offsets, from the offset maps just written. */
async function commitGroups(deps: RestoreDeps, plan: RestorePlan, clusterId: string, stats: TransferStats): Promise<void> {
  const { config, storage, sink, log } = deps;
  const hint = 'fix this and run `kafka-backup offsets apply` with the same config (the data is not restored again)';
  let problems: string[];
  try {
    const offsets = await restoredOffsetsPlan(config, plan, storage, sink);
    const applied = await applyGroupOffsets(offsets, sink.groupAdmin!, { storage, backupId: config.backup_id, clusterId, log });
    stats.consumerGroups = applied.committed.length + applied.unchanged.length;
    problems = applied.problems;
  } catch (err) {
    throw new KafkaBackupError('RESTORE_CONFLICT', `the data is restored, but committing consumer-group offsets failed: ${describeError(err)}; ${hint}`, { cause: err });
  }
  if (problems.length > 0) {
    throw new KafkaBackupError('RESTORE_CONFLICT', `the data is restored, but consumer-group offsets were not committed:\n  - ${problems.join('\n  - ')}\n${hint}`);
  }
}

/** What the partitions of one run share. */
interface PartitionRun {
  clusterId: string;
  identity: ProducerIdentity;
  stats: TransferStats;
  /** One limiter for the run: the rate limits are totals over all partitions. */
  limiter: RateLimiter;
  /** Aborted by SIGINT/SIGTERM or by the first partition that fails: every partition stops. */
  stop: AbortSignal;
  /** Aborted with the error by the first partition that fails. */
  failed: AbortController;
}

async function restorePartition(
  p: RestorePartitionPlan,
  target: PartitionTargetStatus,
  batchTarget: BatchTarget | undefined,
  outcome: PartitionOutcome,
  deps: RestoreDeps,
  run: PartitionRun,
): Promise<void> {
  const { config, sink, storage, log } = deps;
  const { stats, stop } = run;
  const where = { topic: p.targetTopic, partition: p.partition };
  if (target.prior?.state === 'complete') {
    log.info(where, 'partition already restored by an earlier run; skipping');
    stats.partitionsDone++;
    return;
  }

  // 1. The resume point: written before the first produce (docs/format.md, ordering rule 4).
  const end = (await sink.offsets(p.targetTopic, [p.partition])).get(p.partition)!.latest;
  const now = () => new Date().toISOString();
  let state: RestoreState = target.prior ?? {
    format_version: FORMAT_VERSION,
    backup_id: config.backup_id,
    source_topic: p.sourceTopic,
    source_partition: p.partition,
    target_cluster_id: run.clusterId,
    target_topic: p.targetTopic,
    target_partition: p.partition,
    state: 'in_progress',
    target_start_offset: end,
    records_written: 0,
    offset_map: [],
    started_at: now(),
    updated_at: now(),
  };
  let etag = target.prior
    ? target.priorEtag
    : await writeRestoreState(storage, state, { create: true });
  const alreadyWritten = end - state.target_start_offset;
  if (alreadyWritten > 0) log.info({ ...where, records: alreadyWritten }, 'resuming: records already in the target are skipped');
  outcome.state = 'partial';
  outcome.records_written = alreadyWritten;
  outcome.stopped_by = null;

  // 2. Produce in order; every acknowledged batch extends the offset map.
  const map = new OffsetMapBuilder();
  let acked = 0;
  const producer = new PartitionProducer(
    sink,
    p.targetTopic,
    p.partition,
    state.target_start_offset,
    { maxInFlight: config.target!.kafka_config['max.in.flight.requests.per.connection'], retries: config.target!.kafka_config.retries, retryBackoffMs: config.target!.kafka_config['retry.backoff.ms'], log },
    (item, targetFirst) => {
      let t = targetFirst;
      for (const r of item.sourceRanges) {
        map.add(r.first, r.last, t);
        t += r.last - r.first + 1;
      }
      acked += item.recordCount;
      // While the records an earlier run wrote are replayed (skipped, not sent), the outcome
      // keeps what the target already holds.
      if (acked >= alreadyWritten) {
        outcome.records_written = acked;
        outcome.next_source_offset = nextSourceOffset(map.runs) ?? outcome.next_source_offset;
      }
      if (item.bytes) {
        stats.records += item.recordCount;
        stats.rawBytes += item.bytes.length;
        stats.batches++;
      }
    },
  );
  let saving: Promise<void> = Promise.resolve();
  const checkpoint = (final: boolean) => {
    // A state checkpointed during the replay would record less than the earlier run did.
    if (!final && acked < alreadyWritten) return saving;
    saving = saving.then(async () => {
      state = { ...state, state: final ? 'complete' : 'in_progress', records_written: acked, offset_map: map.runs, updated_at: now() };
      etag = await writeRestoreState(storage, state, etag ? { etag } : {});
    });
    return saving;
  };
  const timer = setInterval(() => {
    checkpoint(false).catch((err) => log.warn({ ...where, err: describeError(err) }, 'restore checkpoint failed'));
  }, config.restore.checkpoint_interval_secs * 1000);

  // Rate limits count what is sent; records an earlier run already wrote are not sent.
  const send = async (out: OutgoingBatch) => {
    if (out.bytes) await run.limiter.acquire(out.recordCount, out.bytes.length, stop);
    await producer.send(out);
  };
  let cut = false;
  try {
    // Point-in-time restore: blocks the index proves hold no match are never read.
    const filter = restoreFilterFor(config.restore, p.sourceTopic, p.partition);
    const provenance = config.restore.provenance_headers ? provenanceHeaders(p.sourceTopic, p.partition) : undefined;
    const batcher = new ProduceBatcher(run.identity, config.restore.produce_batch_size, alreadyWritten, filter, { target: batchTarget, provenance });
    const segments = p.manifest.segments;
    let ahead: Promise<SegmentReader | undefined> | undefined;
    for (let k = 0; k < segments.length && !cut; k++) {
      const seg = segments[k]!;
      if (stop.aborted) {
        cut = true;
        break;
      }
      try {
        const reader = (await ahead) ?? (await SegmentReader.open(storage, seg.key, { size: seg.stored_bytes }));
        // Look ahead to the next segment only with storage slots that are free now (tryOpen).
        const following = segments[k + 1];
        ahead = following ? SegmentReader.tryOpen(storage, following.key, following.stored_bytes) : undefined;
        stats.storedBytes += seg.stored_bytes;
        const blocks = reader.blocks;
        let b = 0;
        // Each block's checksum is verified before any of its batches is yielded (segment-reader.ts).
        for await (const batch of reader.batches(filter ? { blocks: (e) => blockMayMatch(filter, e) } : {})) {
          while (b < blocks.length - 1 && blocks[b]!.lastOffset < batch.header.baseOffset) b++;
          const inWindow = filter !== undefined && blocks[b] !== undefined && blockInWindow(filter, blocks[b]!);
          for (const out of await batcher.add(batch, inWindow)) await send(out);
          if (stop.aborted) {
            cut = true;
            break;
          }
        }
      } catch (err) {
        const damaged = damagedBackup(err, p, seg.key);
        // A read failed: everything read before it passed its checks, so it goes to the target
        // and the partition stops exactly at the damaged block.
        if (damaged !== err) for (const out of batcher.flush()) await send(out);
        throw damaged;
      }
      stats.segments++;
    }
    for (const out of batcher.flush()) await send(out);
    await producer.drain();
    stats.keylessSkipped += batcher.keylessSkipped;
    if (batcher.keylessSkipped > 0) log.warn({ ...where, records: batcher.keylessSkipped }, 'records without a key left out (compacted target, restore.keyless_records: skip)');
  } catch (err) {
    // The other partitions stop now. What was sent before the failure came from verified blocks:
    // let it land, then store how far the partition got, so the summary and the rerun start from
    // the truth.
    run.failed.abort(err);
    clearInterval(timer);
    await producer.drain().catch(() => undefined);
    await checkpoint(false).catch((e: unknown) => log.warn({ ...where, err: describeError(e) }, 'restore checkpoint failed'));
    outcome.stopped_by = 'error';
    outcome.error = describeError(err);
    throw err;
  } finally {
    clearInterval(timer);
  }
  // 3. Done: the complete offset map, and a state that makes a rerun skip this partition.
  await checkpoint(!cut);
  if (cut) {
    outcome.stopped_by = run.failed.signal.aborted ? 'another_partition' : 'signal';
    return;
  }
  outcome.state = 'complete';
  outcome.next_source_offset = null;
  stats.partitionsDone++;
  log.info({ ...where, records: acked, runs: state.offset_map.length }, 'partition restored');
}

/**
 * A damaged, missing or unreadable segment met while restoring: the error names the partition and
 * the segment (the reader names the block and its offsets). Other errors pass unchanged.
 */
function damagedBackup(err: unknown, p: RestorePartitionPlan, key: string): unknown {
  if (!isKafkaBackupError(err)) return err;
  const damaged = err.code === 'BACKUP_CORRUPT' || err.code === 'FORMAT_UNSUPPORTED';
  if (!damaged && !err.code.startsWith('STORAGE_')) return err;
  const named = err.message.includes(key) ? err.message : `segment ${key}: ${err.message}`;
  const after = damaged
    ? 'the records before the damage are in the target, nothing from it on was produced, and a rerun resumes there once the segment is repaired'
    : 'the records before it are in the target, and a rerun resumes there';
  return new KafkaBackupError(err.code, `restoring ${p.sourceTopic}/${p.partition} into ${p.targetTopic}/${p.partition}: ${named}; ${after}`, {
    ...err.details,
    topic: p.sourceTopic,
    partition: p.partition,
    retryable: err.retryable,
    cause: err,
  });
}
