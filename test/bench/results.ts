// The results file: JSON lines, one `meta` line per run (what was measured, on what), then one
// `step` line per measured command. Appending lines keeps a crashed run's finished steps.
import { appendFileSync, readFileSync } from 'node:fs';

export type Operation = 'producer-perf' | 'consumer-perf' | 'backup' | 'restore';
/** Where kafka-backup stored: a directory in the run dir, or MinIO (test/infra/stores.sh). */
export type Storage = 'filesystem' | 's3';
/** A kafka-backup step with other settings than the throughput run's (see LargeSegmentMeta). */
export type Variant = 'large-segment';

/** The memory step: segments far larger than the S3 part size. */
export interface LargeSegmentMeta {
  segment_max_bytes: number;
  multipart_threshold: number;
  multipart_part_size: number;
  max_concurrent_uploads: number;
}

export interface MetaLine {
  type: 'meta';
  run: string;
  at: string;
  host: { cores: number; cpu_model: string; mem_gib: number; kernel: string; loadavg_at_start: number[] };
  node: string;
  kafka_version: string;
  size_mb: number;
  partitions: number[];
  payloads: string[];
  flat_pct: number;
  record_bytes: number;
  compression: string;
  /** ProducerPerformance properties, as given on its command line. */
  producer_props: string;
  broker_jvm: string;
  tool_jvm: string;
  /** Storages backup and restore ran against; absent in results from before --storage: filesystem. */
  storages?: Storage[];
  large_segment?: LargeSegmentMeta;
}

export interface StepLine {
  type: 'step';
  run: string;
  at: string;
  op: Operation;
  tool: string;
  partitions: number;
  payload: string;
  /** Share of the configured data size this step ran on (100, or the memory-flatness size). */
  size_pct: number;
  records: number;
  record_bytes: number;
  /** Payload volume: records × record_bytes, in MiB. The basis of every MiB/s column. */
  mib: number;
  wall_s: number;
  mib_per_s: number;
  records_per_s: number;
  peak_rss_mib: number | null;
  /** The same payload over the tool's own clock (parse.ts), and what else the tool reported. */
  self: { seconds: number; records_per_s: number; mib_per_s: number; [k: string]: number | string | null };
  exit_code: number;
  /** Absent in results from before --storage: filesystem. */
  storage?: Storage;
  variant?: Variant;
  /** kafka-backup steps of a variant: the objects the backup stored, and the largest (a segment). */
  objects?: number;
  largest_object_bytes?: number;
}

export const storageOf = (s: StepLine): Storage => s.storage ?? 'filesystem';
/** The steps of the throughput and flatness tables: the Kafka tools, and kafka-backup on a directory. */
export const isBaseline = (s: StepLine): boolean => storageOf(s) === 'filesystem' && s.variant === undefined;

export type ResultLine = MetaLine | StepLine;

export function appendResult(file: string, line: ResultLine): void {
  appendFileSync(file, JSON.stringify(line) + '\n');
}

/** The lines of one run: the given run id, or the last run in the file. */
export function readRun(file: string, run?: string): { meta: MetaLine | undefined; steps: StepLine[] } {
  const lines = readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as ResultLine);
  const id = run ?? lines.filter((l) => l.type === 'meta').at(-1)?.run ?? lines.at(-1)?.run;
  const mine = lines.filter((l) => l.run === id);
  return {
    meta: mine.find((l): l is MetaLine => l.type === 'meta'),
    steps: mine.filter((l): l is StepLine => l.type === 'step'),
  };
}
