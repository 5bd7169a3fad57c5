// The Node side of `npm run bench` (test/bench/run.sh drives it; run.sh's header documents the
// benchmark). Subcommands:
//   meta    --results F --run ID --size-mb N --partitions 1,8 --payloads random --flat-pct 25
//           --record-bytes 1024 --kafka-version V --compression C --producer-props S
//           --broker-jvm=S --tool-jvm=S [--storages filesystem,s3] [--large-segment SEG,THRESHOLD,PART,UPLOADS]
//   step    --results F --run ID --op OP --partitions P --payload X --size-pct N --records N
//           --record-bytes B --log-prefix PATH [--storage S] [--variant V] [--largest-in LOC]
//           -- COMMAND ARGS...
//             runs COMMAND measured (measure.ts), checks the record count it reports, appends a
//             step line; exits 1 when the command failed or moved the wrong number of records.
//             --largest-in (a directory, or s3://BUCKET/PREFIX) records the backup's objects
//             and its largest one, after the command (not measured)
//   s3-bucket --name B                      creates bucket B in MinIO (KB_TEST_S3_*), or empties it
//   report  --results F [--run ID]          Markdown tables of a run (the last one by default)
//   payload --file F --count N --size B     the compressible payload file (payload.ts)
//   cpu-top [--top N] FILE.cpuprofile...    self-time summary of CPU profiles (cpu-top.ts)
import { cpus, loadavg, release, totalmem } from 'node:os';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { renderCpuTop } from './cpu-top.js';
import { measure } from './measure.js';
import { largestObject, prepareBucket, s3SettingsFromEnv } from './object-store.js';
import { parsers, type ParserName } from './parse.js';
import { writePayloadFile } from './payload.js';
import { renderReport } from './report.js';
import { appendResult, readRun, type LargeSegmentMeta, type Operation, type Storage, type Variant } from './results.js';

const MIB = 1024 * 1024;
const OPS: Record<Operation, { tool: string; parser: ParserName }> = {
  'producer-perf': { tool: 'org.apache.kafka.tools.ProducerPerformance', parser: 'producer-perf' },
  'consumer-perf': { tool: 'org.apache.kafka.tools.ConsumerPerformance', parser: 'consumer-perf' },
  backup: { tool: 'kafka-backup backup', parser: 'kafka-backup' },
  restore: { tool: 'kafka-backup restore', parser: 'kafka-backup' },
};

function need(values: Record<string, string | boolean | undefined>, key: string): string {
  const v = values[key];
  if (typeof v !== 'string' || v === '') throw new Error(`missing --${key}`);
  return v;
}
const num = (values: Record<string, string | boolean | undefined>, key: string): number => {
  const n = Number(need(values, key));
  if (!Number.isFinite(n)) throw new Error(`--${key} must be a number`);
  return n;
};
const list = (s: string) => s.split(',').filter((x) => x !== '');
const str = { type: 'string' } as const;
const STORAGES: readonly Storage[] = ['filesystem', 's3'];
const VARIANTS: readonly Variant[] = ['large-segment'];
function oneOf<T extends string>(value: string, allowed: readonly T[], what: string): T {
  if (!(allowed as readonly string[]).includes(value)) throw new Error(`unknown ${what} ${value} (${allowed.join(', ')})`);
  return value as T;
}
function largeSegment(value: string | undefined): { large_segment?: LargeSegmentMeta } {
  if (value === undefined) return {};
  const n = list(value).map(Number);
  if (n.length !== 4 || !n.every((x) => Number.isInteger(x) && x > 0)) throw new Error('--large-segment is SEGMENT,THRESHOLD,PART,UPLOADS (bytes, bytes, bytes, count)');
  const [segment_max_bytes, multipart_threshold, multipart_part_size, max_concurrent_uploads] = n as [number, number, number, number];
  return { large_segment: { segment_max_bytes, multipart_threshold, multipart_part_size, max_concurrent_uploads } };
}

function meta(args: string[]): void {
  const keys = ['results', 'run', 'size-mb', 'partitions', 'payloads', 'flat-pct', 'record-bytes', 'kafka-version', 'compression', 'producer-props', 'broker-jvm', 'tool-jvm', 'storages', 'large-segment'];
  const { values } = parseArgs({ args, options: Object.fromEntries(keys.map((k) => [k, str])) });
  const cpu = cpus();
  appendResult(need(values, 'results'), {
    type: 'meta',
    run: need(values, 'run'),
    at: new Date().toISOString(),
    host: { cores: cpu.length, cpu_model: cpu[0]?.model.trim() ?? 'unknown', mem_gib: Math.round(totalmem() / 2 ** 30), kernel: release(), loadavg_at_start: loadavg() },
    node: process.version,
    kafka_version: need(values, 'kafka-version'),
    size_mb: num(values, 'size-mb'),
    partitions: list(need(values, 'partitions')).map(Number),
    payloads: list(need(values, 'payloads')),
    flat_pct: num(values, 'flat-pct'),
    record_bytes: num(values, 'record-bytes'),
    compression: need(values, 'compression'),
    producer_props: need(values, 'producer-props'),
    broker_jvm: need(values, 'broker-jvm'),
    tool_jvm: need(values, 'tool-jvm'),
    storages: list(values['storages'] ?? 'filesystem').map((x) => oneOf(x, STORAGES, 'storage')),
    ...largeSegment(values['large-segment']),
  });
}

async function step(args: string[]): Promise<number> {
  const keys = ['results', 'run', 'op', 'partitions', 'payload', 'size-pct', 'records', 'record-bytes', 'log-prefix', 'storage', 'variant', 'largest-in'];
  const { values, positionals } = parseArgs({ args, options: Object.fromEntries(keys.map((k) => [k, str])), allowPositionals: true });
  const op = need(values, 'op') as Operation;
  if (!(op in OPS)) throw new Error(`unknown --op ${op}`);
  const [command, ...rest] = positionals;
  if (!command) throw new Error('step: no command after --');
  const records = num(values, 'records');
  const recordBytes = num(values, 'record-bytes');
  const logs = need(values, 'log-prefix');
  const m = await measure(command, rest, { stdoutFile: `${logs}.out`, stderrFile: `${logs}.err` });
  const storage = values['storage'] === undefined ? undefined : oneOf(values['storage'], STORAGES, 'storage');
  const variant = values['variant'] === undefined ? undefined : oneOf(values['variant'], VARIANTS, 'variant');
  const where = [storage, variant].filter((x) => x !== undefined && x !== 'filesystem').join(' ');
  const label = `${op} p=${values['partitions']} ${values['payload']} ${values['size-pct']}%${where ? ` ${where}` : ''}`;
  const fail = (why: string) => {
    const tail = readFileSync(`${logs}.err`, 'utf8').trimEnd().split('\n').slice(-30).join('\n');
    process.stderr.write(`bench: ${label} FAILED: ${why}\n  stdout: ${logs}.out\n  stderr: ${logs}.err (last lines below)\n${tail}\n`);
    return 1;
  };
  if (m.exitCode !== 0) return fail(`exit ${m.exitCode ?? m.signal}`);
  let self;
  try {
    self = parsers[OPS[op].parser](readFileSync(`${logs}.out`, 'utf8'));
  } catch (err) {
    return fail((err as Error).message);
  }
  if (self.records !== records) return fail(`moved ${self.records} records, expected ${records}`);
  const mib = (records * recordBytes) / MIB;
  const peak = m.peakRssKiB === null ? null : m.peakRssKiB / 1024;
  let stored: { objects?: number; largest_object_bytes?: number } = {};
  if (values['largest-in'] !== undefined) {
    const l = await largestObject(values['largest-in']);
    stored = { objects: l.objects, largest_object_bytes: l.largestBytes };
  }
  appendResult(need(values, 'results'), {
    type: 'step',
    run: need(values, 'run'),
    at: new Date().toISOString(),
    op,
    tool: OPS[op].tool,
    partitions: num(values, 'partitions'),
    payload: need(values, 'payload'),
    size_pct: num(values, 'size-pct'),
    records,
    record_bytes: recordBytes,
    mib,
    wall_s: m.wallSeconds,
    mib_per_s: mib / m.wallSeconds,
    records_per_s: records / m.wallSeconds,
    peak_rss_mib: peak,
    self: { seconds: self.seconds, records_per_s: records / self.seconds, mib_per_s: mib / self.seconds, ...self.extra },
    exit_code: 0,
    ...(storage === undefined ? {} : { storage }),
    ...(variant === undefined ? {} : { variant }),
    ...stored,
  });
  process.stderr.write(
    `bench: ${label.padEnd(30)} ${mib.toFixed(0)} MiB in ${m.wallSeconds.toFixed(2)} s = ${(mib / m.wallSeconds).toFixed(1)} MiB/s, ` +
      `${Math.round(records / m.wallSeconds)} records/s, peak RSS ${peak === null ? 'n/a' : peak.toFixed(0) + ' MiB'}` +
      (stored.largest_object_bytes === undefined ? '' : `, largest object ${(stored.largest_object_bytes / MIB).toFixed(1)} MiB of ${stored.objects}`) +
      '\n',
  );
  return 0;
}

async function main(argv: string[]): Promise<number> {
  const [sub, ...args] = argv;
  switch (sub) {
    case 'meta':
      meta(args);
      return 0;
    case 'step':
      return step(args);
    case 'report': {
      const { values } = parseArgs({ args, options: { results: str, run: str } });
      const { meta: m, steps } = readRun(need(values, 'results'), values.run);
      process.stdout.write(renderReport(m, steps));
      return 0;
    }
    case 's3-bucket': {
      const { values } = parseArgs({ args, options: { name: str } });
      const r = await prepareBucket(s3SettingsFromEnv(), need(values, 'name'));
      process.stderr.write(`bench: bucket ${values.name} ${r.created ? 'created' : `emptied (${r.deleted} objects deleted)`}\n`);
      return 0;
    }
    case 'payload': {
      const { values } = parseArgs({ args, options: { file: str, count: str, size: str } });
      writePayloadFile(need(values, 'file'), num(values, 'count'), num(values, 'size'));
      return 0;
    }
    case 'cpu-top': {
      const { values, positionals } = parseArgs({ args, options: { top: str }, allowPositionals: true });
      const top = values.top ? Number(values.top) : 15;
      process.stdout.write(positionals.map((f) => renderCpuTop(f, top)).join('\n\n') + '\n');
      return 0;
    }
    default:
      process.stderr.write(`usage: node dist/test/bench/main.js meta|step|report|s3-bucket|payload|cpu-top ... (see test/bench/main.ts)\n`);
      return 2;
  }
}

process.exitCode = await main(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`bench: ${(err as Error).message ?? String(err)}\n`);
  return 2;
});
