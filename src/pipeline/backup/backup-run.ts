// Ownership of a backup id for one run: the descriptor (backup.json) is claimed with a conditional
// write, kept alive by a heartbeat at every checkpoint, and closed with the run's result. Writes
// are serialized through one chain so a heartbeat never races the final write.
//
// The descriptor lists a topic's partitions only once each of them has a manifest (recordTopics,
// after the run created them): a partition the descriptor lists without a manifest is then always
// damage, never a run in progress (src/inspect/inventory.ts, docs/design.md invariant 22).
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { KafkaBackupError, describeError, isKafkaBackupError } from '../../errors.js';
import {
  type BackupDescriptor,
  type DescriptorTopic,
  type RunEntry,
  isHeartbeatStale,
  readDescriptor,
  recordRun,
  writeDescriptor,
} from '../../format/descriptor.js';
import { FORMAT_VERSION } from '../../format/constants.js';
import type { StorageBackend } from '../../storage/backend.js';
import { isDeadLocalProcess } from '../../local-process.js';
import type { KafkaSource, TopicInfo } from '../../kafka/source.js';
import { capturedConfigs } from '../../kafka/topic-configs.js';

export interface RunIdentity {
  backupId: string;
  mode: 'snapshot' | 'continuous';
  clusterId: string;
  bootstrapServers: string[];
  compression: { codec: 'none' | 'zstd' | 'lz4'; level: number };
  /** This run's topics: written by recordTopics, once their partitions have manifests. */
  topics: DescriptorTopic[];
  heartbeatIntervalMs: number;
}

export class BackupRun {
  private chain: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly storage: StorageBackend,
    private descriptor: BackupDescriptor,
    private etag: string,
    private readonly run: RunEntry,
    private readonly topics: DescriptorTopic[],
  ) {}

  get runId(): string {
    return this.run.run_id;
  }

  static async claim(storage: StorageBackend, id: RunIdentity, log: Logger): Promise<BackupRun> {
    const now = new Date();
    const at = now.toISOString();
    const run: RunEntry = { run_id: randomUUID(), started_at: at, ended_at: null, result: 'running' };
    const owner = { run_id: run.run_id, host: hostname(), pid: process.pid, heartbeat_at: at, heartbeat_interval_ms: id.heartbeatIntervalMs };
    const existing = await readDescriptor(storage, id.backupId);
    let base: BackupDescriptor;
    if (existing) {
      const prev = existing.descriptor;
      if (prev.source.cluster_id !== id.clusterId) {
        throw new KafkaBackupError(
          'CONFIG_INVALID',
          `backup "${id.backupId}" at ${storage.location} holds data of Kafka cluster ${prev.source.cluster_id}, ` +
            `but the source ${id.bootstrapServers.join(',')} is cluster ${id.clusterId}; use another backup_id`,
        );
      }
      if (prev.state === 'running' && !isHeartbeatStale(prev.owner, now) && !ownerIsGone(prev.owner)) {
        throw new KafkaBackupError(
          'BACKUP_IN_USE',
          `backup "${id.backupId}" is being written by pid ${prev.owner.pid} on ${prev.owner.host} ` +
            `(last heartbeat ${prev.owner.heartbeat_at}); wait for it to finish or stop it`,
        );
      }
      let runs = prev.runs;
      if (prev.state === 'running') {
        log.warn({ run: prev.owner.run_id, host: prev.owner.host, pid: prev.owner.pid }, 'previous run died without finishing; resuming after its last commit');
        runs = runs.map((r) => (r.run_id === prev.owner.run_id && r.result === 'running' ? { ...r, result: 'interrupted' as const } : r));
      }
      base = { ...prev, runs };
    } else {
      base = {
        format_version: FORMAT_VERSION,
        backup_id: id.backupId,
        created_at: at,
        updated_at: at,
        state: 'running',
        mode: id.mode,
        owner,
        source: { cluster_id: id.clusterId, bootstrap_servers: id.bootstrapServers },
        compression: id.compression,
        topics: [],
        runs: [],
        error: null,
      };
    }
    const descriptor = recordRun(
      { ...base, state: 'running', mode: id.mode, owner, compression: id.compression, updated_at: at, error: null },
      run,
    );
    try {
      const etag = await writeDescriptor(storage, descriptor, existing ? { etag: existing.etag } : { create: true });
      return new BackupRun(storage, descriptor, etag, run, id.topics);
    } catch (err) {
      if (isKafkaBackupError(err, 'STORAGE_PRECONDITION')) {
        throw new KafkaBackupError('BACKUP_IN_USE', `backup "${id.backupId}" was claimed by another process at the same moment`, {
          cause: err,
        });
      }
      throw err;
    }
  }

  /**
   * Add this run's topics (partition counts, replication factor, configs) to the descriptor. Call
   * once every partition of them has a manifest: from then on a missing manifest is damage.
   */
  recordTopics(): Promise<void> {
    return this.update((d) => ({ ...d, topics: mergeTopics(d.topics, this.topics) }));
  }

  /** Refresh the heartbeat: proof to `status` and to other processes that this run is alive. */
  heartbeat(): Promise<void> {
    return this.update((d) => d);
  }

  finish(result: 'complete' | 'failed', error?: { code: string; message: string }): Promise<void> {
    return this.update((d) => {
      const at = new Date().toISOString();
      const runResult = error?.code === 'INTERRUPTED' ? 'interrupted' : result;
      return recordRun({ ...d, state: result, error: error ?? null }, { ...this.run, ended_at: at, result: runResult });
    });
  }

  private update(change: (d: BackupDescriptor) => BackupDescriptor): Promise<void> {
    const next = this.chain.then(async () => {
      const at = new Date().toISOString();
      const d = change({ ...this.descriptor, updated_at: at, owner: { ...this.descriptor.owner, heartbeat_at: at } });
      this.etag = await writeDescriptor(this.storage, d, { etag: this.etag });
      this.descriptor = d;
    });
    this.chain = next.catch(() => undefined);
    return next.catch((err) => {
      if (isKafkaBackupError(err, 'STORAGE_PRECONDITION')) {
        throw new KafkaBackupError('BACKUP_IN_USE', `backup "${this.descriptor.backup_id}" was taken over by another process`, {
          cause: err,
        });
      }
      throw err;
    });
  }
}

/**
 * Partition counts only grow. The latest capture of replication factor and configs wins (they may
 * have changed since); a run that could not capture them keeps what an earlier run captured.
 */
function mergeTopics(a: DescriptorTopic[], b: DescriptorTopic[]): DescriptorTopic[] {
  const m = new Map(a.map((t) => [t.name, t]));
  for (const t of b) {
    const prev = m.get(t.name);
    m.set(t.name, { ...prev, ...t, partitions: Math.max(t.partitions, prev?.partitions ?? 0) });
  }
  return [...m.values()].sort((x, y) => x.name.localeCompare(y.name));
}

/**
 * The descriptor entries of the selected topics: partition count, and, when the source can
 * describe topics, replication factor and the configs set on each topic. A source user without
 * DescribeConfigs permission gets a warning, not a failed backup: the data matters more.
 */
export async function describeTopicsForDescriptor(source: KafkaSource, topics: TopicInfo[], log: Logger): Promise<DescriptorTopic[]> {
  const plain = topics.map((t) => ({ name: t.name, partitions: t.partitions }));
  const admin = source.topicAdmin;
  if (!admin) return plain;
  let described;
  try {
    described = new Map((await admin.describeTopics(topics.map((t) => t.name))).map((d) => [d.name, d]));
  } catch (err) {
    if (!isKafkaBackupError(err, 'KAFKA_AUTH')) throw err;
    log.warn({ err: describeError(err) }, 'cannot read the topic configs; the backup keeps those an earlier run captured, if any');
    return plain;
  }
  return plain.map((t) => {
    const d = described.get(t.name);
    if (!d) return t;
    return { ...t, ...(d.replicationFactor >= 1 ? { replication_factor: d.replicationFactor } : {}), configs: capturedConfigs(d.configs) };
  });
}

/** An owner on this host whose process no longer exists died; no need to wait for its heartbeat to age. */
export function ownerIsGone(owner: { host: string; pid: number }): boolean {
  return isDeadLocalProcess(owner.host, owner.pid);
}
