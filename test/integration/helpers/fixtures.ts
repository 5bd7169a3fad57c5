// Shared pieces of the byte-exact round-trip tests: fixture records, the backup → restore run
// through the real CLI, and checks made with Kafka's own tools and kcat (never kafka-backup code).
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, roundTripConfig, writeConfig, type CliResult } from './cli.js';
import type { CheckerLine, CheckerMessage, DumpedRecord, Header } from './checker.js';
import { tempDir, unique } from './env.js';
import { kafkaTool, kcat } from './kafka-tools.js';

export const bytes = (s: string): Buffer => Buffer.from(s, 'utf8');

/** Deterministic pseudo-random bytes (so a failing run can be reproduced exactly). */
export function pseudoRandom(seed: number, length: number): Buffer {
  const out = Buffer.alloc(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** CreateTime values across the range a topic accepts (1970-01-01T00:00:00.001Z … 2099). */
export const SPREAD_TIMESTAMPS = {
  y1970: 1,
  y1971: Date.UTC(1971, 5, 1, 12, 0, 0, 123),
  y2001: 1_000_000_000_000, // 2001-09-09T01:46:40Z
  y2025: Date.UTC(2025, 0, 1),
  y2099: Date.UTC(2099, 11, 31, 23, 59, 59, 999),
} as const;

/**
 * A topic config for records with any CreateTime: no time retention (the default 7 days would
 * delete a segment whose newest record is from 1971), and no limit on future timestamps (the
 * Kafka 4 default refuses more than 1 hour ahead).
 */
export const ACCEPT_ANY_TIMESTAMP = { 'message.timestamp.after.max.ms': '9223372036854775807', 'retention.ms': '-1' };

/**
 * Records that exercise every field the wire format distinguishes, spread over `partitions`
 * partitions: null/empty/binary keys and values, tombstones, header order and duplicates, null and
 * empty header values, non-ASCII header names, CreateTime over decades and out of order inside a batch.
 */
export function fieldVariety(partitions: number, perPartition: number): CheckerLine[] {
  const keys: (Buffer | null)[] = [bytes('user-1'), null, Buffer.alloc(0), pseudoRandom(7, 16), bytes('ключ-🔑'), Buffer.from([0, 0xff, 0])];
  const values: (Buffer | null)[] = [bytes('{"v":1}'), null, Buffer.alloc(0), pseudoRandom(11, 300), bytes('ü'.repeat(50)), Buffer.from([0])];
  const headerSets: Header[][] = [
    [],
    [['trace', pseudoRandom(3, 24)]],
    [['dup', bytes('1')], ['other', bytes('x')], ['dup', bytes('2')], ['dup', bytes('3')]],
    [['null-value', null], ['empty-value', Buffer.alloc(0)]],
    [['naïve', bytes('v')], ['日本語', Buffer.from([0xde, 0xad, 0xbe, 0xef])], ['emoji-🎉', null]],
    [['', bytes('empty name')]],
  ];
  const stamps = [...Object.values(SPREAD_TIMESTAMPS), null];
  const lines: CheckerLine[] = [];
  let n = 0;
  for (let i = 0; i < perPartition; i++) {
    for (let p = 0; p < partitions; p++) {
      // Different strides per field, so the combinations vary (all six lists have six entries).
      const m: CheckerMessage = {
        partition: p,
        key: keys[n % 6]!,
        value: values[(n * 5 + Math.floor(n / 36)) % 6]!,
        headers: headerSets[Math.floor(n / 6) % 6]!,
        timestamp: stamps[(n + Math.floor(n / 6)) % 6]!,
      };
      lines.push(m);
      n++;
    }
    // Every 10 rounds wait for the acks, so partitions hold several batches of varied size.
    if (i % 10 === 9) lines.push({ flush: true });
  }
  // One large value (bigger than a typical batch) per partition.
  for (let p = 0; p < partitions; p++) lines.push({ partition: p, key: bytes(`big-${p}`), value: pseudoRandom(100 + p, 200_000), headers: [['size', bytes('200000')]], timestamp: SPREAD_TIMESTAMPS.y2025 });
  return lines;
}

/**
 * The same lines with every SPREAD timestamp moved into the last hours (the 2099 one to 30 minutes
 * ahead), keeping their order: for topics with the broker defaults, whose retention.ms (7 days)
 * would delete old records and whose message.timestamp.after.max.ms (1 hour) refuses 2099.
 */
export function recentTimestamps(lines: CheckerLine[], now = Date.now()): CheckerLine[] {
  const moved = new Map<number, number>([
    [SPREAD_TIMESTAMPS.y1970, now - 5 * 3_600_000],
    [SPREAD_TIMESTAMPS.y1971, now - 4 * 3_600_000],
    [SPREAD_TIMESTAMPS.y2001, now - 3 * 3_600_000],
    [SPREAD_TIMESTAMPS.y2025, now - 2 * 3_600_000],
    [SPREAD_TIMESTAMPS.y2099, now + 1_800_000],
  ]);
  return lines.map((l) => ('partition' in l && typeof l.timestamp === 'number' ? { ...l, timestamp: moved.get(l.timestamp) ?? l.timestamp } : l));
}

/**
 * `count` records with CreateTime 0 (and the next few ms), from Kafka's VerifiableProducer:
 * librdkafka cannot produce timestamp 0 (it reads 0 as "now"). Keys are null, values "0", "1", …
 */
export async function produceEpochZero(bootstrap: string, topic: string, count: number): Promise<void> {
  const r = await kafkaTool('org.apache.kafka.tools.VerifiableProducer', [
    '--bootstrap-server', bootstrap, '--topic', topic, '--max-messages', String(count), '--message-create-time', '0',
  ]);
  const acked = r.stdout.toString().split('\n').filter((l) => l.includes('"producer_send_success"')).length;
  assert.equal(acked, count, `VerifiableProducer acked ${acked} of ${count}: ${r.stdout.toString().slice(-1000)}`);
}

export interface RoundTrip {
  dir: string;
  config: string;
  backupId: string;
  backup: CliResult;
  restore: CliResult;
}

/** `kafka-backup backup` then `kafka-backup restore` of `mapping`'s source topics into its targets; both must exit 0. */
export async function backupAndRestore(opts: {
  bootstrap: string;
  mapping: Record<string, string>;
  backup?: Record<string, unknown>;
  restore?: Record<string, unknown>;
}): Promise<RoundTrip> {
  const dir = tempDir('roundtrip');
  const backupId = unique('rt');
  const config = writeConfig(
    dir,
    'config.yaml',
    roundTripConfig({
      backupId,
      storagePath: join(dir, 'storage'),
      bootstrap: opts.bootstrap,
      include: Object.keys(opts.mapping),
      mapping: opts.mapping,
      ...(opts.backup ? { backup: opts.backup } : {}),
      ...(opts.restore ? { restore: opts.restore } : {}),
    }),
  );
  const backup = await runCli(['backup', '-c', config]);
  assert.equal(backup.code, 0, `backup exited ${backup.code}\n${backup.stderr.slice(-4000)}`);
  const restore = await runCli(['restore', '-c', config]);
  assert.equal(restore.code, 0, `restore exited ${restore.code}\n${restore.stderr.slice(-4000)}`);
  return { dir, config, backupId, backup, restore };
}

/** The partition count kcat sees in the topic's metadata. */
export async function partitionCount(bootstrap: string, topic: string): Promise<number> {
  const r = await kcat(['-L', '-b', bootstrap, '-t', topic, '-J', '-m', '15']);
  const meta = JSON.parse(r.stdout.toString()) as { topics: { topic: string; err?: string; partitions: unknown[] }[] };
  const t = meta.topics.find((x) => x.topic === topic);
  assert.ok(t && !t.err, `kcat -L: topic ${topic} ${t?.err ?? 'missing'}`);
  return t.partitions.length;
}

export async function assertSamePartitionCount(bootstrap: string, source: string, target: string, expected: number): Promise<void> {
  assert.equal(await partitionCount(bootstrap, source), expected, `${source} partitions (kcat -L)`);
  assert.equal(await partitionCount(bootstrap, target), expected, `${target} partitions (kcat -L)`);
}

export interface StatusJson {
  state: string;
  totals: { topics: number; partitions: number; records: number };
  partitions: { topic: string; partition: number; records: number; gaps: unknown[] }[];
}

export async function statusJson(config: string): Promise<StatusJson> {
  const r = await runCli(['status', '-c', config, '--json']);
  assert.equal(r.code, 0, `status exited ${r.code}\n${r.stderr.slice(-2000)}`);
  return JSON.parse(r.stdout) as StatusJson;
}

/** status --json reports a complete backup whose per-partition record counts are what the checker read. */
export async function assertStatusMatches(config: string, topics: Record<string, { partitions: number; records: DumpedRecord[] }>): Promise<void> {
  const s = await statusJson(config);
  assert.equal(s.state, 'complete', 'status: state');
  let total = 0;
  for (const [topic, t] of Object.entries(topics)) {
    for (let p = 0; p < t.partitions; p++) {
      const expected = t.records.filter((r) => r.partition === p).length;
      const got = s.partitions.find((x) => x.topic === topic && x.partition === p);
      assert.ok(got, `status lists ${topic}/${p}`);
      assert.equal(got.records, expected, `status: records of ${topic}/${p}`);
      total += expected;
    }
  }
  assert.equal(s.totals.records, total, 'status: total records');
}

export async function alterTopicConfig(bootstrap: string, topic: string, configs: Record<string, string>): Promise<void> {
  await kafkaTool('kafka.admin.ConfigCommand', [
    '--bootstrap-server', bootstrap, '--alter', '--entity-type', 'topics', '--entity-name', topic,
    '--add-config', Object.entries(configs).map(([k, v]) => `${k}=${v}`).join(','),
  ]);
}

/**
 * The compression codec of every batch in each partition's log segments, read with Kafka's
 * DumpLogSegments (one JVM for all) from the test broker's data dir (found through KB_TEST_RUN_DIR).
 */
export async function batchCodecs(partitions: { topic: string; partition: number }[]): Promise<Map<string, string[]>> {
  const runDir = process.env.KB_TEST_RUN_DIR;
  if (!runDir) throw new Error('KB_TEST_RUN_DIR is not set: it names the test broker run dir (test/run.sh exports it)');
  const props = readFileSync(join(runDir, 'kafka/server.properties'), 'utf8');
  const logDir = /^log\.dirs=(.*)$/m.exec(props)?.[1];
  assert.ok(logDir, 'log.dirs in the test broker server.properties');
  const fileOf = new Map<string, string>(); // segment file → "topic/partition"
  for (const { topic, partition } of partitions) {
    const dir = join(logDir, `${topic}-${partition}`);
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.log'))) fileOf.set(join(dir, f), `${topic}/${partition}`);
  }
  const r = await kafkaTool('org.apache.kafka.tools.DumpLogSegments', ['--files', [...fileOf.keys()].join(',')]);
  const out = new Map<string, string[]>(partitions.map((p) => [`${p.topic}/${p.partition}`, []]));
  let current: string[] | undefined;
  for (const line of r.stdout.toString().split('\n')) {
    const dumping = /^Dumping (.*)$/.exec(line);
    if (dumping) current = out.get(fileOf.get(dumping[1]!.trim()) ?? '');
    const codec = /compresscodec: (\w+)/.exec(line);
    if (codec && current) current.push(codec[1]!.toLowerCase());
  }
  return out;
}

export async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}
