// The independent checker (test/infra/checker/kcheck.py: confluent-kafka, i.e. librdkafka) from
// TypeScript: produce exact fixtures and read topics back without any kafka-backup code. The venv
// is made by test/infra/setup.sh outside the repo.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './env.js';
import { run } from './kafka-tools.js';

export type Compression = 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';
export type Header = [name: string, value: Buffer | null];

/** One record to produce. timestamp undefined/null: the producer's clock; 0 is refused (librdkafka reads it as "now"). */
export interface CheckerMessage {
  partition: number;
  key: Buffer | null;
  value: Buffer | null;
  headers?: Header[];
  timestamp?: number | null;
  /** Which producer sends it (see ProduceOptions.producers); default the unnamed one. */
  producer?: string;
}

/** Transaction boundaries, and "wait until acked" so the log order follows the script. */
export type CheckerControl = { txn: 'begin' | 'commit' | 'abort'; producer?: string } | { flush: true; producer?: string };
export type CheckerLine = CheckerMessage | CheckerControl;

export interface ProduceOptions {
  bootstrap: string;
  topic: string;
  /** Makes the unnamed producer transactional. */
  transactionalId?: string;
  /** More producers by name: a transactional id, or null for a plain idempotent producer. */
  producers?: Record<string, string | null>;
  compression?: Compression;
  lingerMs?: number;
}

export interface DumpedRecord {
  partition: number;
  offset: number;
  timestampType: 'create' | 'log_append';
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  /** Names as strings; a name that is not UTF-8 is "b64:" + base64. */
  headers: Header[];
}

export function checkerPython(): string {
  const py = join(process.env.KB_CACHE ?? join(homedir(), '.cache/kafka-backup'), 'venv/bin/python');
  if (!existsSync(py)) throw new Error(`${py} is missing: run test/infra/setup.sh (it makes the checker venv)`);
  return py;
}

const kcheck = () => join(repoRoot, 'test/infra/checker/kcheck.py');
const b64 = (b: Buffer | null | undefined) => (b == null ? null : b.toString('base64'));
const unb64 = (s: string | null) => (s === null ? null : Buffer.from(s, 'base64'));

/** Run a kcheck subcommand; its stdout lines parsed as JSON. Rejects on a non-zero exit. */
export async function runChecker(args: string[]): Promise<unknown[]> {
  const r = await run(checkerPython(), [kcheck(), ...args]);
  if (r.code !== 0) throw new Error(`kcheck ${args[0]} exited ${r.code}: ${r.stderr.slice(-3000)}`);
  return r.stdout
    .toString()
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as unknown);
}

function isMessage(l: CheckerLine): l is CheckerMessage {
  return 'partition' in l;
}

/** Produce `lines` exactly; resolves with the number of delivered records, rejects unless all were. */
export async function produceWithChecker(opts: ProduceOptions, lines: CheckerLine[]): Promise<number> {
  const args = [kcheck(), 'produce', '--bootstrap', opts.bootstrap, '--topic', opts.topic, '--compression', opts.compression ?? 'none'];
  if (opts.transactionalId) args.push('--transactional-id', opts.transactionalId);
  for (const [name, txn] of Object.entries(opts.producers ?? {})) args.push('--producer', `${name}=${txn ?? ''}`);
  if (opts.lingerMs !== undefined) args.push('--linger-ms', String(opts.lingerMs));
  const input = lines
    .map((l) =>
      JSON.stringify(
        isMessage(l)
          ? { partition: l.partition, key: b64(l.key), value: b64(l.value), headers: (l.headers ?? []).map(([n, v]) => [n, b64(v)]), timestamp: l.timestamp ?? null, producer: l.producer }
          : l,
      ),
    )
    .join('\n');
  const r = await run(checkerPython(), args, input + '\n');
  if (r.code !== 0) throw new Error(`kcheck produce to ${opts.topic} exited ${r.code}: ${r.stderr.slice(-3000)}`);
  const delivered = (JSON.parse(r.stdout.toString()) as { delivered: number }).delivered;
  const expected = lines.filter(isMessage).length;
  assert.equal(delivered, expected, `kcheck delivered ${delivered} of ${expected} records to ${opts.topic}`);
  return delivered;
}

interface RawDumped {
  partition: number;
  offset: number;
  timestamp_type: 'create' | 'log_append';
  timestamp: number;
  key: string | null;
  value: string | null;
  headers: [string, string | null][];
}

/** Every record of `topic` from the beginning to the current end, sorted by (partition, offset). */
export async function dumpWithChecker(
  bootstrap: string,
  topic: string,
  isolation: 'read_committed' | 'read_uncommitted' = 'read_committed',
): Promise<DumpedRecord[]> {
  const r = await run(checkerPython(), [kcheck(), 'dump', '--bootstrap', bootstrap, '--topic', topic, '--isolation', isolation]);
  if (r.code !== 0) throw new Error(`kcheck dump of ${topic} exited ${r.code}: ${r.stderr.slice(-3000)}`);
  return r.stdout
    .toString()
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => {
      const x = JSON.parse(l) as RawDumped;
      return {
        partition: x.partition,
        offset: x.offset,
        timestampType: x.timestamp_type,
        timestamp: x.timestamp,
        key: unb64(x.key),
        value: unb64(x.value),
        headers: x.headers.map(([n, v]): Header => [n, unb64(v)]),
      };
    });
}

/** A record as compared across topics: everything but the offset, in a form assert diffs well. */
export function comparable(r: DumpedRecord): object {
  return {
    timestampType: r.timestampType,
    timestamp: r.timestamp,
    key: r.key === null ? null : r.key.toString('hex'),
    value: r.value === null ? null : r.value.toString('hex'),
    headers: r.headers.map(([n, v]) => [n, v === null ? null : v.toString('hex')]),
  };
}

export function byPartition(records: DumpedRecord[]): Map<number, DumpedRecord[]> {
  const m = new Map<number, DumpedRecord[]>();
  for (const r of records) {
    const list = m.get(r.partition) ?? [];
    list.push(r);
    m.set(r.partition, list);
  }
  return m;
}

/**
 * The target holds the same records as the source, partition by partition, in the same order;
 * offsets are ignored (the target's are dense) except that the target's must be strictly increasing.
 */
export function assertSameRecords(source: DumpedRecord[], target: DumpedRecord[], what = 'target'): void {
  const s = byPartition(source);
  const t = byPartition(target);
  assert.deepEqual([...t.keys()].sort(), [...s.keys()].sort(), `${what}: partitions holding records`);
  for (const [p, recs] of s) {
    const got = t.get(p) ?? [];
    assert.equal(got.length, recs.length, `${what}: partition ${p} record count`);
    assert.deepEqual(got.map(comparable), recs.map(comparable), `${what}: partition ${p} records`);
  }
}

/** The offsets of each partition are consecutive (no gaps), starting where the log starts. */
export function assertDenseOffsets(records: DumpedRecord[], what = 'target'): void {
  for (const [p, recs] of byPartition(records)) {
    const first = recs[0]!.offset;
    assert.deepEqual(recs.map((r) => r.offset), recs.map((_, i) => first + i), `${what}: partition ${p} offsets are dense`);
  }
}
