// A process crash, modelled in memory: from the crash point on, nothing the process does reaches
// storage or Kafka any more (every write fails, every request fails), the run stops with an error,
// and the descriptor it leaves behind names a process that no longer exists, as after SIGKILL.
import { spawnSync } from 'node:child_process';
import { KafkaBackupError } from '../../../src/errors.js';
import { readDescriptor, writeDescriptor } from '../../../src/format/descriptor.js';
import type { ObjectInfo, ObjectWriter, PutOptions } from '../../../src/storage/backend.js';
import type { MemoryKafka } from '../../kafka/memory/cluster.js';
import { MemoryBackend } from '../../storage/memory-backend.js';
import { BACKUP_ID } from './harness.js';

const dead = () => new KafkaBackupError('STORAGE_IO', 'injected crash: the process is gone');

/** A memory backend that counts object writes (put, finished writer) and dies at the Nth. */
export class CrashableBackend extends MemoryBackend {
  writes = 0;
  crashAtWrite: number | undefined;
  dead = false;

  private write(): void {
    this.writes++;
    if (this.crashAtWrite !== undefined && this.writes >= this.crashAtWrite) this.dead = true;
    if (this.dead) throw dead();
  }

  override async put(key: string, data: Buffer, options?: PutOptions): Promise<ObjectInfo> {
    this.write();
    return super.put(key, data, options);
  }

  override createWriter(key: string): ObjectWriter {
    const w = super.createWriter(key);
    return {
      write: async (chunk) => {
        if (this.dead) throw dead();
        return w.write(chunk);
      },
      finish: async () => {
        this.write();
        return w.finish();
      },
      abort: () => w.abort(),
    };
  }

  override async delete(key: string): Promise<void> {
    if (this.dead) throw dead();
    return super.delete(key);
  }

  /** After the crash: storage answers again, and a still "running" descriptor names a dead process. */
  async revive(): Promise<void> {
    this.dead = false;
    this.crashAtWrite = undefined;
    const read = await readDescriptor(this, BACKUP_ID);
    if (read?.descriptor.state === 'running') {
      const gone = spawnSync('true').pid ?? 2 ** 22 + 1;
      await writeDescriptor(this, { ...read.descriptor, owner: { ...read.descriptor.owner, pid: gone } });
    }
  }
}

/** Kafka side of a crash at the `n`th request of `api`: that request and every later one fails. */
export function crashKafkaAt(kafka: MemoryKafka, api: 'fetch' | 'produce', n: number, storage: CrashableBackend): void {
  const before = kafka.faults.count(api);
  kafka.faults.failNext(api, Number.POSITIVE_INFINITY, { errorCode: -1 }, { after: n - 1 });
  kafka.faults.onRequest(api, (count) => {
    if (count - before >= n) storage.dead = true;
  });
}

/** A crashable copy of a store (a backup to restore from, once per crash point). */
export function copyOf(storage: MemoryBackend): CrashableBackend {
  const copy = new CrashableBackend();
  for (const [key, object] of storage.objects) copy.objects.set(key, { ...object });
  return copy;
}
