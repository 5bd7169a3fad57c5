// The process-wide storage semaphore holds across everything a process does at once: here a
// backup of one topic and a restore of another run together in one process, on one semaphore of
// 3 slots, and a counter directly on the backend (below the semaphore) records how many storage
// calls were in flight at the same time.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import pino from 'pino';
import { parseConfig } from '../../src/config/load.js';
import { connectKafka } from '../../src/kafka/connect.js';
import { RawKafkaSink } from '../../src/kafka/kafka-sink.js';
import { RawKafkaSource } from '../../src/kafka/kafka-source.js';
import { kafkaSettings } from '../../src/kafka/settings.js';
import { runBackup } from '../../src/pipeline/backup.js';
import { runRestore } from '../../src/pipeline/restore.js';
import type { ObjectWriter, StorageBackend } from '../../src/storage/backend.js';
import { FilesystemBackend } from '../../src/storage/filesystem/backend.js';
import { limitConcurrency } from '../../src/storage/limited.js';
import { withRetries } from '../../src/storage/retry.js';
import { Semaphore } from '../../src/storage/semaphore.js';
import { bootstrap, tempDir, unique } from './helpers/env.js';
import { createTopic } from './helpers/kafka-tools.js';
import { assertSameRecords, produceKeyed, readTopic } from './helpers/invariants.js';

/** Counts calls in flight at the backend itself. */
function counting(inner: StorageBackend) {
  const c = { active: 0, max: 0, calls: 0 };
  const track = async <T>(p: () => Promise<T>): Promise<T> => {
    c.active++;
    c.calls++;
    c.max = Math.max(c.max, c.active);
    try {
      return await p();
    } finally {
      c.active--;
    }
  };
  const backend: StorageBackend = {
    kind: inner.kind,
    location: inner.location,
    put: (k, d, o) => track(() => inner.put(k, d, o)),
    get: (k, r) => track(() => inner.get(k, r)),
    head: (k) => track(() => inner.head(k)),
    delete: (k) => track(() => inner.delete(k)),
    close: () => inner.close(),
    createWriter(key): ObjectWriter {
      const w = inner.createWriter(key);
      return { write: (b) => track(() => w.write(b)), finish: () => track(() => w.finish()), abort: () => track(() => w.abort()) };
    },
    async *list(prefix) {
      const it = inner.list(prefix)[Symbol.asyncIterator]();
      for (;;) {
        const next = await track(() => it.next());
        if (next.done) return;
        yield next.value;
      }
    },
  };
  return { backend, c };
}

test('backup and restore in one process never exceed the storage concurrency limit together', async () => {
  const b = bootstrap();
  const log = pino({ level: 'warn' });
  const [toBackUp, toRestore] = [unique('sem-backup'), unique('sem-restore')];
  for (const t of [toBackUp, toRestore]) {
    await createTopic(b, t, 4);
    await produceKeyed(b, t, 1, 40_000);
  }
  const dir = tempDir('sem');
  const yaml = (id: string, topic: string) =>
    JSON.stringify({
      backup_id: id,
      source: { bootstrap_servers: [b], topics: { include: [topic] }, kafka_config: { 'max.partition.fetch.bytes': 16384, 'fetch.max.wait.ms': 100 } },
      target: { bootstrap_servers: [b] },
      storage: { backend: 'filesystem', path: dir, max_concurrency: 3 },
      backup: { segment_max_bytes: '64KiB', block_max_bytes: '4KiB', max_concurrent_partitions: 4 },
      restore: { topic_mapping: { [toRestore]: `${toRestore}-restored` }, max_concurrent_partitions: 4 },
    });
  const semaphore = new Semaphore(3);
  const { backend, c } = counting(new FilesystemBackend(dir));
  const storage = withRetries(limitConcurrency(backend, semaphore));
  const conn = await connectKafka(kafkaSettings(parseConfig(yaml('x', toBackUp), 'x').source!), log);
  const signal = new AbortController().signal;
  try {
    // First a backup to restore from, then the restore and a second backup at the same time.
    const first = parseConfig(yaml('first', toRestore), 'first');
    await runBackup({ config: first, source: new RawKafkaSource(conn, log), storage, log, signal });
    c.max = 0;
    const second = parseConfig(yaml('second', toBackUp), 'second');
    await Promise.all([
      runBackup({ config: second, source: new RawKafkaSource(conn, log), storage, log, signal }),
      runRestore({ config: first, sink: new RawKafkaSink(conn, log), storage, log, signal }),
    ]);
  } finally {
    await conn.close();
  }
  assert.ok(c.max <= 3, `${c.max} storage calls were in flight at once; the limit is 3`);
  assert.ok(c.max >= 2, `the test never put the limit under pressure (max ${c.max} of ${c.calls} calls)`);
  assert.ok(semaphore.maxObserved <= 3);
  assertSameRecords(await readTopic(b, toRestore), await readTopic(b, `${toRestore}-restored`), 'restore under the shared limit');
});
