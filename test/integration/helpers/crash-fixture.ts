// The common start of the crash tests: a 3-partition topic of `total` keyed records produced with
// kcat, read back as the expected source, and a timeline for failure messages.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { bootstrap, tempDir, unique } from './env.js';
import { createTopic } from './kafka-tools.js';
import { produceKeyed, readTopic, type TopicRecord } from './invariants.js';

export interface CrashFixture {
  bootstrap: string;
  topic: string;
  restored: string;
  backupId: string;
  dir: string;
  storagePath: string;
  source: TopicRecord[];
  /** What happened when, for assertion messages. */
  log: string[];
  phase(what: string): void;
}

export async function crashFixture(name: string, total: number, partitions: number): Promise<CrashFixture> {
  const b = bootstrap();
  const topic = unique(name);
  const dir = tempDir(name);
  await createTopic(b, topic, partitions);
  await produceKeyed(b, topic, 1, total);
  const source = await readTopic(b, topic);
  assert.equal(source.length, total, 'the fixture topic holds every produced record');
  const started = Date.now();
  const log: string[] = [];
  return {
    bootstrap: b,
    topic,
    restored: `${topic}-restored`,
    backupId: unique(name),
    dir,
    storagePath: join(dir, 'storage'),
    source,
    log,
    phase: (what) => log.push(`${what} at ${((Date.now() - started) / 1000).toFixed(1)} s`),
  };
}
