// Markdown tables from one run's results, ready to paste into docs/benchmarks.md. Every rate is
// payload MiB (records × record size) per second. "Seconds" and "MiB/s" use the wall clock the
// script measured around the command, so process start-up, connecting and (ConsumerPerformance)
// the group join count for every tool alike; the tool-clock columns use each tool's own timer
// (parse.ts), which leaves most of that out. A ratio compares kafka-backup with the Kafka tool
// doing the same half of the job on the same topic and broker: backup ÷ ConsumerPerformance,
// restore ÷ ProducerPerformance; above 1 means kafka-backup moved the data faster.
import { f1, f2, int, md, rss } from './markdown.js';
import { largeSegmentTable, storageTable } from './report-storage.js';
import { isBaseline, storageOf, type MetaLine, type Operation, type StepLine } from './results.js';

const TOOL: Record<Operation, string> = {
  backup: 'kafka-backup backup',
  'consumer-perf': 'ConsumerPerformance',
  restore: 'kafka-backup restore',
  'producer-perf': 'ProducerPerformance',
};
const ORDER: Operation[] = ['backup', 'consumer-perf', 'restore', 'producer-perf'];
const BASELINE: Partial<Record<Operation, Operation>> = { backup: 'consumer-perf', restore: 'producer-perf' };

/** The tool's name, with the storage and variant of kafka-backup steps other than the baseline. */
export function toolLabel(s: StepLine): string {
  if (isBaseline(s)) return TOOL[s.op];
  return `${TOOL[s.op]} (${[storageOf(s), s.variant].filter((x) => x !== undefined).join(', ')})`;
}

function sameCase(a: StepLine, b: StepLine): boolean {
  return a.payload === b.payload && a.partitions === b.partitions && a.size_pct === b.size_pct;
}

export function throughputTable(steps: StepLine[]): string {
  const full = steps.filter((s) => s.size_pct === 100);
  const cases = [...new Map(full.map((s) => [`${s.payload}/${s.partitions}`, s])).values()];
  const rows: string[][] = [
    ['Operation', 'Payload', 'Partitions', 'MiB', 'Seconds', 'MiB/s', 'Records/s', 'Peak RSS MiB', 'Ratio', 'Tool-clock MiB/s', 'Tool-clock ratio'],
  ];
  for (const c of cases) {
    for (const op of ORDER) {
      const s = full.find((x) => x.op === op && sameCase(x, c));
      if (!s) continue;
      const baseOp = BASELINE[op];
      const base = baseOp && full.find((x) => x.op === baseOp && sameCase(x, c));
      const ratio = base ? `**${f2(s.mib_per_s / base.mib_per_s)}**` : '';
      const selfRatio = base ? f2(s.self.mib_per_s / base.self.mib_per_s) : '';
      rows.push([
        TOOL[op], s.payload, String(s.partitions), f1(s.mib), f2(s.wall_s), f1(s.mib_per_s), int(s.records_per_s),
        rss(s.peak_rss_mib), ratio, f1(s.self.mib_per_s), selfRatio,
      ]);
    }
  }
  return md(rows);
}

/** Peak RSS of kafka-backup at the small and the full size: flat means about equal. */
export function flatnessTable(steps: StepLine[]): string {
  const ours = steps.filter((s) => s.op === 'backup' || s.op === 'restore');
  const small = ours.filter((s) => s.size_pct < 100);
  const rows: string[][] = [['Operation', 'Payload', 'Partitions', 'Small MiB', 'Peak RSS MiB (small)', 'Full MiB', 'Peak RSS MiB (full)', 'Growth']];
  for (const s of small) {
    const f = ours.find((x) => x.op === s.op && x.payload === s.payload && x.partitions === s.partitions && x.size_pct === 100);
    if (!f) continue;
    const growth = s.peak_rss_mib && f.peak_rss_mib ? `${f.peak_rss_mib >= s.peak_rss_mib ? '+' : ''}${f1((f.peak_rss_mib / s.peak_rss_mib - 1) * 100)}%` : 'n/a';
    rows.push([TOOL[s.op], s.payload, String(s.partitions), f1(s.mib), rss(s.peak_rss_mib), f1(f.mib), rss(f.peak_rss_mib), growth]);
  }
  return rows.length > 1 ? md(rows) : '';
}

/** Every step, with what the tool printed about itself, for the record. */
export function detailsTable(steps: StepLine[]): string {
  const rows: string[][] = [['Operation', 'Payload', 'Partitions', 'Size %', 'Wall s', 'Tool-clock s', 'The tool said']];
  for (const s of steps) {
    const x = s.self;
    const said =
      s.op === 'backup' || s.op === 'restore'
        ? `${int(Number(x['records_per_sec']))} records/s, ${x['mb_per_sec']} MB/s (RecordBatch bytes, MB = 10^6); zstd ratio ${x['compression_ratio'] ?? 'n/a'}`
        : s.op === 'consumer-perf'
          ? `fetch ${x['fetch_mb_per_sec']} MB/s; group join ${x['rebalance_ms']} ms`
          : `${int(Number(x['records_per_sec']))} records/s (${x['mb_per_sec']} MB/s); latency avg ${x['avg_latency_ms']} ms, max ${x['max_latency_ms']} ms`;
    rows.push([toolLabel(s), s.payload, String(s.partitions), String(s.size_pct), f2(s.wall_s), f2(x.seconds), said]);
  }
  return md(rows, [0, 1, 6]);
}

function storages(meta: MetaLine): string {
  const list = meta.storages ?? ['filesystem'];
  if (list.length === 1 && list[0] === 'filesystem') return 'filesystem storage on the same disk';
  const what = { filesystem: 'filesystem (a directory on the same disk)', s3: 's3 (MinIO on the same machine, its data on the same disk)' };
  let text = `storage ${list.map((x) => what[x]).join(' and ')}`;
  const l = meta.large_segment;
  if (l) {
    const mib = (n: number) => `${n / 2 ** 20}MiB`;
    text +=
      `; large-segment step: segment_max_bytes ${mib(l.segment_max_bytes)}, multipart_threshold ${mib(l.multipart_threshold)}, ` +
      `multipart_part_size ${mib(l.multipart_part_size)}, max_concurrent_uploads ${l.max_concurrent_uploads}`;
  }
  return text;
}

export function describeRun(meta: MetaLine | undefined): string {
  if (!meta) return '_No meta line in the results file: machine and settings unknown._';
  const h = meta.host;
  return [
    `- Run ${meta.run}, ${meta.at.slice(0, 16).replace('T', ' ')} UTC`,
    `- Machine: ${h.cores} cores (${h.cpu_model}), ${h.mem_gib} GiB RAM, Linux ${h.kernel}, load average at start ${h.loadavg_at_start.map(f2).join(' ')}`,
    `- Node ${meta.node}, Kafka ${meta.kafka_version} (single KRaft node, same machine)`,
    `- Data: ${meta.size_mb} MiB of ${meta.record_bytes} B records per topic, payload ${meta.payloads.join(', ')}, partitions ${meta.partitions.join(', ')}` +
      (meta.flat_pct > 0 ? `; memory flatness at ${meta.flat_pct}% of that` : ''),
    `- kafka-backup: ${meta.compression}, ${storages(meta)}`,
    `- ProducerPerformance properties: \`${meta.producer_props}\`, the producer's defaults otherwise`,
    `- Broker JVM: \`${meta.broker_jvm}\`; tool JVM: \`${meta.tool_jvm}\``,
  ].join('\n');
}

export function renderReport(meta: MetaLine | undefined, steps: StepLine[]): string {
  const baseline = steps.filter(isBaseline);
  const parts = [describeRun(meta), '', '#### Throughput', '', throughputTable(baseline)];
  const flat = flatnessTable(baseline);
  if (flat) parts.push('', '#### Memory flatness (peak RSS of kafka-backup)', '', flat);
  const byStorage = storageTable(steps);
  if (byStorage) parts.push('', '#### Storage: the same backup and restore per storage', '', byStorage);
  const large = largeSegmentTable(steps, meta?.large_segment);
  if (large) parts.push('', '#### Memory with segments far larger than the part size (peak RSS of kafka-backup backup)', '', large);
  parts.push('', '<details><summary>Tool self-reports</summary>', '', detailsTable(steps), '', '</details>');
  return parts.join('\n') + '\n';
}
