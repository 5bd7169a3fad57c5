// The backup pipeline, the whole data flow in one file:
//
//   Kafka (raw Fetch, read-committed)      src/kafka/kafka-source.ts
//     → record batches, aborted data dropped  src/records/
//     → blocks, compressed                  src/codec/
//     → segment, streamed to storage         src/format/segment-writer.ts, src/storage/
//     → partition manifest (the commit)      src/format/manifest.ts
//
// One task per partition; at most backup.max_concurrent_partitions run at once. A partition task
// resumes from its manifest's next_offset, fetches one response ahead of what it is writing, and
// commits a segment (segment stored first, then the manifest that lists it) when the segment is
// full, old, or the partition reached its end. docs/design.md explains the invariants.
// Beside it: backup-run.ts (claiming the backup id, heartbeat, the run's result) and
// group-capture.ts (consumer-group offsets).
import type { Logger } from 'pino';
import { createCodec } from '../../codec/index.js';
import type { Config } from '../../config/types.js';
import { compileTopicSelector, literalTopics } from '../../config/topics.js';
import { KafkaBackupError, describeError, isKafkaBackupError } from '../../errors.js';
import { commitSegment, emptyManifest, readManifest, recordGap, writeManifest, type PartitionManifest } from '../../format/manifest.js';
import { backupPrefix, segmentKey } from '../../format/layout.js';
import { SegmentWriter } from '../../format/segment-writer.js';
import type { FetchedData, KafkaSource, TopicInfo } from '../../kafka/source.js';
import type { StorageBackend } from '../../storage/backend.js';
import { sweepTemporaryFiles } from '../../storage/capabilities.js';
import { BackupRun, describeTopicsForDescriptor } from './backup-run.js';
import { GroupCapturer } from './group-capture.js';
import { runPool, runTurns } from '../shared/pool.js';
import { TransferStats } from '../shared/stats.js';

export interface BackupDeps {
  config: Config;
  source: KafkaSource;
  storage: StorageBackend;
  log: Logger;
  /** Aborted on SIGINT/SIGTERM: partitions store what they fetched and stop. */
  signal: AbortSignal;
  stats?: TransferStats;
}

interface PartitionTask {
  topic: string;
  partition: number;
  manifest: PartitionManifest;
  etag: string | undefined;
  /** Snapshot mode: stop at this offset (the last stable offset when the run started). */
  endOffset: number | undefined;
  /** Continuous mode: the segment being filled survives between turns. */
  open?: OpenSegment;
  pending?: Promise<FetchedData>;
  offset: number;
  /** The partition's one flush in flight (segment upload, then manifest), started by commit(). */
  flushing?: Promise<void>;
}

interface OpenSegment {
  writer: SegmentWriter;
  openedAt: number;
}

export async function runBackup(deps: BackupDeps): Promise<TransferStats> {
  const { config, source, storage, log } = deps;
  const opts = config.backup;
  const stats = deps.stats ?? new TransferStats();
  const topics = await selectTopics(config, source);
  const clusterId = await source.clusterId();

  const run = await BackupRun.claim(
    storage,
    {
      backupId: config.backup_id,
      mode: opts.mode,
      clusterId,
      bootstrapServers: config.source!.bootstrap_servers,
      compression: { codec: opts.compression, level: opts.compression === 'zstd' ? opts.compression_level : 0 },
      topics: await describeTopicsForDescriptor(source, topics, log),
      heartbeatIntervalMs: opts.checkpoint_interval_secs * 1000,
    },
    log,
  );
  log.info({ backup_id: config.backup_id, run_id: run.runId, topics: topics.map((t) => t.name), mode: opts.mode }, 'backup started');
  // Uploads left half-written by a crashed run of this backup are not part of it (docs/format.md,
  // ordering). The backup is ours now, so none of its uploads is live: remove them all.
  await sweepTemporaryFiles(storage, 0, backupPrefix(config.backup_id));

  // `halt` stops every partition (each commits what it fetched) when the user sends a signal, when
  // one partition fails (so the failure is reported now, not after the others finish), or when
  // another process took the backup over (our heartbeat's conditional write lost).
  const halt = new AbortController();
  let haltReason: unknown;
  const stopAll = (reason: unknown) => {
    haltReason ??= reason;
    halt.abort();
  };
  deps.signal.addEventListener('abort', () => halt.abort(), { once: true });
  if (deps.signal.aborted) halt.abort();
  const partitionDeps: BackupDeps = { ...deps, signal: halt.signal };
  const heartbeat = setInterval(() => {
    run.heartbeat().catch((err) => {
      if (isKafkaBackupError(err, 'BACKUP_IN_USE')) stopAll(err);
      else log.warn({ err: describeError(err) }, 'heartbeat failed');
    });
  }, opts.checkpoint_interval_secs * 1000);
  const turn = async (task: PartitionTask) => {
    try {
      return await backupTurn(task, partitionDeps, stats);
    } catch (err) {
      stopAll(err);
      // A flush in flight finishes (or fails) before the run reports: no write outlives the run.
      await task.flushing?.catch(() => undefined);
      // The open segment will not be committed: its upload is discarded now (a full disk gets the
      // space back), not left for the next run's sweep.
      await task.open?.writer.abort().catch(() => undefined);
      throw err;
    }
  };

  // Consumer-group offsets: captured before the end offsets are read (snapshot), and periodically
  // and at stop (continuous); see group-capture.ts.
  const groups =
    opts.consumer_groups.length > 0
      ? new GroupCapturer(storage, source.groupAdmin, { backupId: config.backup_id, clusterId, groups: opts.consumer_groups, topics: topics.map((t) => t.name) }, log)
      : undefined;
  let capturing: Promise<unknown> = Promise.resolve();
  const recapture = () => {
    capturing = groups!.capture().catch((err) => log.warn({ err: describeError(err) }, 'consumer-group capture failed'));
  };
  let groupTimer: NodeJS.Timeout | undefined;

  try {
    // The first capture fails the run (a config or permission problem shows at once); later ones warn.
    await groups?.capture();
    if (groups && opts.mode === 'continuous') groupTimer = setInterval(recapture, opts.consumer_groups_interval_secs * 1000);
    const tasks = await planPartitions(config, source, storage, topics);
    // Every selected partition has its manifest now: the descriptor may list them.
    await run.recordTopics();
    stats.partitionsTotal = tasks.length;
    if (opts.mode === 'snapshot') {
      await runPool(tasks, opts.max_concurrent_partitions, async (task) => {
        while ((await turn(task)) === 'again');
      });
    } else {
      await runTurns(tasks, opts.max_concurrent_partitions, turn, opts.poll_interval_ms);
      clearInterval(groupTimer);
      if (groups && haltReason === undefined) {
        recapture();
        await capturing;
      }
    }
    if (haltReason !== undefined) throw haltReason;
    if (opts.mode === 'snapshot' && deps.signal.aborted) {
      throw new KafkaBackupError('INTERRUPTED', 'backup stopped by a signal before reaching the end offsets; run it again to resume');
    }
    stats.consumerGroups = groups?.groupCount ?? 0;
    await run.finish('complete');
    log.info(stats.summary(), 'backup complete');
    return stats;
  } catch (err) {
    const code = isKafkaBackupError(err) ? err.code : 'INTERNAL';
    // A run that lost the backup to another process must not write the descriptor again.
    if (!isKafkaBackupError(err, 'BACKUP_IN_USE')) {
      await run.finish('failed', { code, message: describeError(err) }).catch((e) => log.warn({ err: describeError(e) }, 'could not record the failure'));
    }
    throw err;
  } finally {
    clearInterval(heartbeat);
    clearInterval(groupTimer);
    await capturing;
  }
}

/** The topics the config selects; a topic named exactly that does not exist is an error. */
async function selectTopics(config: Config, source: KafkaSource): Promise<TopicInfo[]> {
  const sel = config.source!.topics;
  const all = await source.topics();
  const names = new Set(all.map((t) => t.name));
  const missing = literalTopics(sel.include).filter((t) => !names.has(t));
  if (missing.length > 0) {
    throw new KafkaBackupError(
      'KAFKA_TOPIC_MISSING',
      `topic${missing.length > 1 ? 's' : ''} ${missing.join(', ')} named in source.topics.include ` +
        `do${missing.length > 1 ? '' : 'es'} not exist at ${config.source!.bootstrap_servers.join(',')}`,
    );
  }
  const select = compileTopicSelector(sel.include, sel.exclude);
  const chosen = all.filter((t) => select(t.name)).sort((a, b) => a.name.localeCompare(b.name));
  if (chosen.length === 0) {
    throw new KafkaBackupError('KAFKA_TOPIC_MISSING', `no topic at ${config.source!.bootstrap_servers.join(',')} matches source.topics`);
  }
  return chosen;
}

async function planPartitions(config: Config, source: KafkaSource, storage: StorageBackend, topics: TopicInfo[]): Promise<PartitionTask[]> {
  const tasks: PartitionTask[] = [];
  for (const t of topics) {
    const partitions = Array.from({ length: t.partitions }, (_, i) => i);
    const offsets = await source.offsets(t.name, partitions);
    await runPool(partitions, 16, async (p) => {
      const read = await readManifest(storage, config.backup_id, t.name, p);
      const o = offsets.get(p)!;
      let manifest = read?.manifest;
      let etag = read?.etag;
      if (!manifest) {
        // A new partition log starts at the log start offset, and exists in storage from the
        // first run on, so an empty partition is still restored (as an empty partition).
        manifest = { ...emptyManifest(t.name, p), next_offset: o.earliest };
        etag = await writeManifest(storage, config.backup_id, manifest, { create: true });
      }
      tasks.push({
        topic: t.name,
        partition: p,
        manifest,
        etag,
        endOffset: config.backup.mode === 'snapshot' ? o.latest : undefined,
        offset: Math.max(manifest.next_offset, 0),
      });
    });
  }
  return tasks.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
}

/**
 * One turn of a partition: fetch, write, commit, until the partition reached its end offset
 * (snapshot), caught up (continuous: yields its slot, returns 'again'), or the run was stopped.
 */
async function backupTurn(task: PartitionTask, deps: BackupDeps, stats: TransferStats): Promise<'again' | 'idle' | 'done'> {
  const { config, source, log, signal } = deps;
  const opts = config.backup;
  const continuous = opts.mode === 'continuous';
  // How long the broker may hold a fetch for fetch.min.bytes, or for new records once caught up.
  const maxWait = config.source!.kafka_config['fetch.max.wait.ms'];
  const atEnd = () => task.endOffset !== undefined && task.offset >= task.endOffset;
  const fetchNext = () => {
    const p = source.fetch(task.topic, task.partition, task.offset, maxWait);
    p.catch(() => undefined); // a fetch abandoned on stop must not become an unhandled rejection
    return p;
  };

  if (atEnd()) return finishPartition(task, deps, stats);
  task.pending ??= fetchNext();
  for (;;) {
    const data = await task.pending;
    task.pending = undefined;
    if (data.outOfRange) {
      await handleOutOfRange(task, deps, stats);
    } else {
      task.offset = data.nextOffset;
      // Fetch ahead: the next response travels while this one is compressed and stored.
      if (!atEnd() && !signal.aborted) task.pending = fetchNext();
      if (data.batches.length > 0) {
        task.open ??= openSegment(task, deps, data.batches[0]!.header.baseOffset);
        await task.open.writer.append(data.batches);
        stats.batches += data.batches.length;
        for (const b of data.batches) {
          stats.rawBytes += b.bytes.length;
          if (!b.header.isControl) stats.records += b.header.recordCount;
        }
      }
      stats.abortedRecords += data.abortedRecords;
    }
    const open = task.open;
    const full = open !== undefined && open.writer.rawBytes >= opts.segment_max_bytes;
    const old = open !== undefined && Date.now() - open.openedAt >= opts.segment_max_interval_ms;
    const stopping = signal.aborted || atEnd();
    if (full || old || stopping) await commit(task, deps, stats);
    if (stopping) return finishPartition(task, deps, stats);
    // Caught up: give the slot to another partition and come back after poll_interval_ms.
    if (continuous && data.batches.length === 0) return 'idle';
    if (task.pending === undefined) task.pending = fetchNext();
    if (data.batches.length === 0 && !continuous) {
      log.debug({ topic: task.topic, partition: task.partition, offset: task.offset, end: task.endOffset }, 'empty fetch before the end offset');
    }
  }
}

function openSegment(task: PartitionTask, deps: BackupDeps, baseOffset: number): OpenSegment {
  const { config, storage } = deps;
  const key = segmentKey(config.backup_id, task.topic, task.partition, baseOffset);
  const codec = createCodec(config.backup.compression, config.backup.compression === 'zstd' ? config.backup.compression_level : undefined);
  const writer = new SegmentWriter({ key, out: storage.createWriter(key), codec, blockMaxBytes: config.backup.block_max_bytes });
  return { writer, openedAt: Date.now() };
}

/**
 * Commit what the partition fetched so far: seal the open segment and hand it to a flush that
 * stores it completely and then writes the manifest that lists it (the commit point). The flush
 * runs while the partition goes on fetching and compressing into a new segment; at most one flush
 * per partition is in flight, so a second commit first waits for the one before (KafScale's
 * lock-free flush: the upload never blocks the fetch loop, and manifests stay in order).
 */
async function commit(task: PartitionTask, deps: BackupDeps, stats: TransferStats): Promise<void> {
  const open = task.open;
  task.open = undefined;
  const nextOffset = task.offset;
  try {
    await settleFlush(task);
  } catch (err) {
    await open?.writer.abort().catch(() => undefined); // not committed after a failed flush: discard it
    throw err;
  }
  if (open === undefined && nextOffset <= task.manifest.next_offset) return;
  const flushing = flush(task, open, nextOffset, deps, stats);
  flushing.catch(() => undefined); // observed by settleFlush
  task.flushing = flushing;
}

/** Wait for the partition's flush in flight, if any; its failure is the partition's failure. */
async function settleFlush(task: PartitionTask): Promise<void> {
  const flushing = task.flushing;
  task.flushing = undefined;
  if (flushing) await flushing;
}

async function flush(task: PartitionTask, open: OpenSegment | undefined, nextOffset: number, deps: BackupDeps, stats: TransferStats): Promise<void> {
  let manifest = task.manifest;
  if (open) {
    const summary = await open.writer.finish();
    manifest = commitSegment(manifest, summary, nextOffset);
    stats.storedBytes += summary.stored_bytes;
    stats.segments++;
  } else {
    // Only aborted-transaction data was fetched: move next_offset past it without a segment.
    manifest = { ...manifest, next_offset: nextOffset, updated_at: new Date().toISOString() };
  }
  await saveManifest(task, deps, manifest);
}

async function saveManifest(task: PartitionTask, deps: BackupDeps, manifest: PartitionManifest): Promise<void> {
  task.etag = await writeManifest(deps.storage, deps.config.backup_id, manifest, task.etag ? { etag: task.etag } : { create: true });
  task.manifest = manifest;
  deps.log.debug({ topic: task.topic, partition: task.partition, next_offset: manifest.next_offset }, 'committed');
}

/**
 * The fetch offset left the log. Below the log start, retention deleted records this backup never
 * saw: record the gap in the manifest and go on from the log start. Above the end, the log was
 * truncated (unclean leader election, a recreated topic): refuse to guess.
 */
async function handleOutOfRange(task: PartitionTask, deps: BackupDeps, stats: TransferStats): Promise<void> {
  const offsets = (await deps.source.offsets(task.topic, [task.partition])).get(task.partition)!;
  if (task.offset < offsets.earliest) {
    await commit(task, deps, stats);
    await settleFlush(task);
    deps.log.warn(
      { topic: task.topic, partition: task.partition, from: task.offset, to: offsets.earliest },
      'records were deleted by retention before they were backed up; recording a gap',
    );
    const manifest = recordGap(task.manifest, task.offset, offsets.earliest, 'log_start_moved');
    task.offset = offsets.earliest;
    stats.gaps++;
    await saveManifest(task, deps, manifest);
    return;
  }
  throw new KafkaBackupError(
    'KAFKA_PROTOCOL',
    `${task.topic}/${task.partition}: the backup has reached offset ${task.offset} but the partition now ends at ${offsets.latest}; ` +
      'the topic was truncated or recreated. Back it up under a new backup_id.',
    { topic: task.topic, partition: task.partition },
  );
}

async function finishPartition(task: PartitionTask, deps: BackupDeps, stats: TransferStats): Promise<'done'> {
  await commit(task, deps, stats);
  await settleFlush(task);
  stats.partitionsDone++;
  return 'done';
}
