// "Nothing lost, nothing doubled": compares the records of a source topic with what a restore
// wrote, read back with kcat (an independent Kafka client). Fixtures give every record a unique
// ASCII key, so a key identifies a record and duplicates and gaps are visible by key.
//
// The pure comparisons (compareRecords, findDuplicates) are unit-tested in
// test/integration/invariants.test.ts; the rest talks to the broker or the backup directory.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, startCli, type CliResult } from './cli.js';
import { kcat } from './kafka-tools.js';

export interface TopicRecord {
  partition: number;
  offset: number;
  timestamp: number;
  key: string;
  value: string;
  /** kcat's rendering of the headers ("" when none). */
  headers: string;
}

const KCAT_FORMAT = '%p\t%o\t%T\t%k\t%s\t%h\n';

export function parseKcat(text: string): TopicRecord[] {
  const out: TopicRecord[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const [p, o, t, key, value, headers] = line.split('\t');
    if (headers === undefined) throw new Error(`unexpected kcat line (are keys and values tab-free ASCII?): ${JSON.stringify(line)}`);
    out.push({ partition: Number(p), offset: Number(o), timestamp: Number(t), key: key!, value: value!, headers });
  }
  return out;
}

/** Every record of a topic, in partition then offset order. */
export async function readTopic(bootstrap: string, topic: string): Promise<TopicRecord[]> {
  const r = await kcat(['-C', '-b', bootstrap, '-t', topic, '-o', 'beginning', '-e', '-q', '-f', KCAT_FORMAT]);
  return parseKcat(r.stdout.toString()).sort((a, b) => a.partition - b.partition || a.offset - b.offset);
}

/** Produce records k<from>:v<from> .. k<to>:v<to> (inclusive), spread over partitions by key hash. */
export async function produceKeyed(bootstrap: string, topic: string, from: number, to: number, tag = 'v'): Promise<void> {
  const lines: string[] = [];
  for (let i = from; i <= to; i++) lines.push(`k${i}:${tag}${i}`);
  await kcat(
    ['-P', '-b', bootstrap, '-t', topic, '-K:', '-X', 'topic.partitioner=murmur2_random', '-X', 'linger.ms=5', '-X', 'batch.num.messages=100'],
    lines.join('\n') + '\n',
  );
}

/** Per-partition end offsets through kcat (fast enough to poll). */
export async function kcatEndOffsets(bootstrap: string, topic: string, partitions: number): Promise<number[]> {
  const args = ['-Q', '-b', bootstrap];
  for (let p = 0; p < partitions; p++) args.push('-t', `${topic}:${p}:-1`);
  const out = (await kcat(args)).stdout.toString();
  const ends = new Array<number>(partitions).fill(-1);
  for (const m of out.matchAll(/\[(\d+)\] offset (-?\d+)/g)) ends[Number(m[1])] = Number(m[2]);
  return ends;
}

function identity(r: TopicRecord): string {
  return `${r.key}\t${r.value}\t${r.timestamp}\t${r.headers}`;
}

/** Keys that occur more than once, with their counts. */
export function findDuplicates(records: readonly TopicRecord[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of records) counts.set(r.key, (counts.get(r.key) ?? 0) + 1);
  return new Map([...counts].filter(([, n]) => n > 1));
}

const sample = (xs: Iterable<string>, n = 5): string => {
  const all = [...xs];
  return all.slice(0, n).join(', ') + (all.length > n ? `, … (${all.length} in all)` : '');
};

/**
 * Everything that makes `actual` differ from `expected` as a restore: a record missing, duplicated,
 * unexpected, in another partition, or out of order within its partition, or a record whose value,
 * timestamp or headers changed. Empty when every expected record is there exactly once, in the
 * same partition and the same order. Offsets are not compared (a target may start elsewhere).
 */
export function compareRecords(expected: readonly TopicRecord[], actual: readonly TopicRecord[]): string[] {
  const problems: string[] = [];
  const dupExpected = findDuplicates(expected);
  if (dupExpected.size > 0) problems.push(`the expected list itself repeats keys (fixture bug): ${sample(dupExpected.keys())}`);
  const dup = findDuplicates(actual);
  if (dup.size > 0) problems.push(`${dup.size} keys written more than once: ${sample([...dup].map(([k, n]) => `${k}×${n}`))}`);
  const want = new Map(expected.map((r) => [r.key, r]));
  const have = new Map(actual.map((r) => [r.key, r]));
  const missing = [...want.keys()].filter((k) => !have.has(k));
  if (missing.length > 0) problems.push(`${missing.length} records missing: ${sample(missing)}`);
  const extra = [...have.keys()].filter((k) => !want.has(k));
  if (extra.length > 0) problems.push(`${extra.length} unexpected records: ${sample(extra)}`);
  const moved = [...want.values()].filter((r) => have.has(r.key) && have.get(r.key)!.partition !== r.partition);
  if (moved.length > 0) problems.push(`${moved.length} records in another partition: ${sample(moved.map((r) => `${r.key} ${r.partition}→${have.get(r.key)!.partition}`))}`);
  const changed = [...want.values()].filter((r) => have.has(r.key) && identity(have.get(r.key)!) !== identity(r));
  if (changed.length > 0) problems.push(`${changed.length} records changed: ${sample(changed.map((r) => `${identity(r)} → ${identity(have.get(r.key)!)}`))}`);
  if (problems.length > 0) return problems;

  const exp = byPartition(expected);
  const act = byPartition(actual);
  for (const [p, list] of exp) {
    const got = act.get(p) ?? [];
    const i = list.findIndex((r, j) => got[j]?.key !== r.key);
    if (i >= 0) problems.push(`partition ${p}: order differs at position ${i}: expected ${list[i]!.key}, got ${got[i]?.key ?? 'nothing'}`);
  }
  return problems;
}

/**
 * `partial` is what an interrupted restore may leave: in each partition a prefix of the expected
 * records, in order, nothing doubled and nothing skipped. Returns the problems.
 */
export function prefixProblems(expected: readonly TopicRecord[], partial: readonly TopicRecord[]): string[] {
  const problems: string[] = [];
  const exp = byPartition(expected);
  for (const [p, got] of byPartition(partial)) {
    const want = exp.get(p) ?? [];
    if (got.length > want.length) problems.push(`partition ${p}: ${got.length} records, more than the ${want.length} expected`);
    const i = got.findIndex((r, j) => want[j] === undefined || identity(want[j]!) !== identity(r));
    if (i >= 0) problems.push(`partition ${p}: position ${i} holds ${got[i]!.key}, expected ${want[i]?.key ?? 'nothing'}`);
  }
  return problems;
}

export function byPartition(records: readonly TopicRecord[]): Map<number, TopicRecord[]> {
  const m = new Map<number, TopicRecord[]>();
  for (const r of records) {
    let list = m.get(r.partition);
    if (!list) m.set(r.partition, (list = []));
    list.push(r);
  }
  for (const list of m.values()) list.sort((a, b) => a.offset - b.offset);
  return m;
}

export function assertNoDuplicates(records: readonly TopicRecord[], what: string): void {
  const dup = findDuplicates(records);
  assert.equal(dup.size, 0, `${what}: ${dup.size} keys occur more than once: ${sample([...dup].map(([k, n]) => `${k}×${n}`))}`);
}

/** `actual` holds every record of `expected` exactly once, same partition, same order, same content. */
export function assertSameRecords(expected: readonly TopicRecord[], actual: readonly TopicRecord[], what: string): void {
  const problems = compareRecords(expected, actual);
  assert.deepEqual(problems, [], `${what}: ${expected.length} records expected, ${actual.length} found:\n  - ${problems.join('\n  - ')}`);
}

/** Offsets of each partition are consecutive (a fresh, non-transactional topic has no holes). */
export function assertDenseOffsets(records: readonly TopicRecord[], what: string): void {
  for (const [p, list] of byPartition(records)) {
    const hole = list.findIndex((r, i) => i > 0 && r.offset !== list[i - 1]!.offset + 1);
    assert.equal(hole, -1, `${what}: partition ${p} jumps from offset ${list[hole - 1]?.offset} to ${list[hole]?.offset}`);
  }
}

// ---- the committed state of a backup directory, read straight from the files (docs/format.md) ----

export interface ManifestFile {
  topic: string;
  partition: number;
  next_offset: number;
  segments: { key: string; base_offset: number; last_offset: number; next_offset: number; record_count: number; stored_bytes: number }[];
  gaps: { from: number; to: number }[];
}

/** The paths of the partition manifests that exist now. */
export function readManifestFiles(storagePath: string, backupId: string): string[] {
  const topicsDir = join(storagePath, backupId, 'topics');
  if (!existsSync(topicsDir)) return [];
  return readdirSync(topicsDir).flatMap((topic) =>
    readdirSync(join(topicsDir, topic))
      .map((p) => join(topicsDir, topic, p, 'manifest.json'))
      .filter((f) => existsSync(f)),
  );
}

export function readManifests(storagePath: string, backupId: string): ManifestFile[] {
  return readManifestFiles(storagePath, backupId)
    .map((f) => JSON.parse(readFileSync(f, 'utf8')) as ManifestFile)
    .sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
}

export function committedRecords(manifests: readonly ManifestFile[]): number {
  return manifests.reduce((n, m) => n + m.segments.reduce((k, s) => k + s.record_count, 0), 0);
}

/**
 * What a crash must never leave behind: a manifest listing a segment that is missing or has
 * another size, segments that overlap or are out of order, or a next_offset short of the last
 * segment. Returns the problems, each naming the manifest or segment.
 */
export function committedStateProblems(storagePath: string, backupId: string): string[] {
  const problems: string[] = [];
  for (const m of readManifests(storagePath, backupId)) {
    const where = `${m.topic}/${m.partition}`;
    let prevNext = -1;
    for (const s of m.segments) {
      const file = join(storagePath, s.key);
      if (!existsSync(file)) problems.push(`${where}: listed segment ${s.key} does not exist`);
      else if (statSync(file).size !== s.stored_bytes) problems.push(`${where}: ${s.key} has ${statSync(file).size} bytes, manifest says ${s.stored_bytes}`);
      if (s.base_offset < prevNext) problems.push(`${where}: ${s.key} starts at ${s.base_offset}, before the previous segment's end ${prevNext}`);
      if (s.next_offset <= s.last_offset) problems.push(`${where}: ${s.key} next_offset ${s.next_offset} not past last_offset ${s.last_offset}`);
      prevNext = s.next_offset;
    }
    if (m.next_offset < prevNext) problems.push(`${where}: next_offset ${m.next_offset} is before the last segment's end ${prevNext}`);
  }
  return problems;
}

// ---- what the CLI says about a backup ----

export interface StatusView {
  state: string;
  totals: { records: number; segments: number };
  partitions: { topic: string; partition: number; next_offset: number; records: number }[];
  restores: { target_topic: string; target_partition: number; state: string; records_written: number }[];
}

/** `kafka-backup status --json` for one backup; fails the test when the command fails. */
export async function statusOf(storagePath: string, backupId: string): Promise<StatusView> {
  const r = await runCli(['status', '--path', storagePath, '-b', backupId, '--json']);
  assert.equal(r.code, 0, `status of ${backupId} exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout) as StatusView;
}

/** `kafka-backup verify` (deep) exits 0: every listed segment is there and intact. */
export async function assertVerifies(storagePath: string, backupId: string, when: string): Promise<void> {
  const r = await runCli(['verify', '--path', storagePath, '-b', backupId]);
  assert.equal(r.code, 0, `verify ${when} exited ${r.code}:\n${r.stdout}${r.stderr}`);
}

// ---- crash points ----

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Resolves once `cond` holds (polled every few ms); rejects after `timeoutMs` or when `signal` aborts. */
export async function until(cond: () => boolean | Promise<boolean>, opts: { timeoutMs?: number; what?: string; signal?: AbortSignal } = {}): Promise<void> {
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (opts.signal?.aborted) throw new Error(`stopped waiting for ${opts.what ?? 'a condition'}`);
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${opts.what ?? 'a condition'}`);
    await sleep(5);
  }
}

/**
 * Run the CLI and SIGKILL it once `point` resolves (it gets a signal aborted when the process
 * exits on its own). Returns whether it was killed, and its result for the caller to check.
 */
export async function killAt(args: string[], point: (exited: AbortSignal) => Promise<void>): Promise<{ killed: boolean; result: CliResult }> {
  const { child, done } = startCli(args);
  const exited = new AbortController();
  void done.then(() => exited.abort());
  const reached = await Promise.race([point(exited.signal).then(() => true, () => false), done.then(() => false)]);
  if (reached && !exited.signal.aborted) child.kill('SIGKILL');
  const result = await done;
  return { killed: result.signal === 'SIGKILL', result };
}
