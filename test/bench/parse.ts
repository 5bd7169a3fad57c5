// What each measured tool says about itself, read from its stdout: how many records it moved and
// how long its own clock ran, kept next to the wall-clock measurement, never instead of it.
//   ProducerPerformance: first send to last acknowledgement (records ÷ its records/sec);
//   ConsumerPerformance: fetch.time.ms, which leaves out JVM start and the consumer group join;
//   kafka-backup --json:  duration_ms, from after config load and connecting to the summary.
// The tools' own byte counts differ (key+value bytes with MB = 2^20 for the Kafka tools,
// RecordBatch bytes with MB = 10^6 for kafka-backup); they are kept in `extra`, and the rates the
// report shows are all payload bytes over the tool's seconds.

export interface SelfReport {
  records: number;
  /** The tool's own clock for the transfer. */
  seconds: number;
  /** Tool-specific extras worth keeping in the results file. */
  extra: Record<string, number | string | null>;
}

/** The final line: "N records sent, R records/sec (M MB/sec), L ms avg latency, ... 99.9th." */
export function parseProducerPerformance(stdout: string): SelfReport {
  const finals = stdout.split('\n').filter((l) => / records sent, .* 50th/.test(l));
  const line = finals.at(-1);
  const m = line && /^(\d+) records sent, ([\d.]+) records\/sec \(([\d.]+) MB\/sec\), ([\d.]+) ms avg latency, ([\d.]+) ms max latency/.exec(line);
  if (!m) throw new Error('ProducerPerformance printed no final summary line');
  return {
    records: Number(m[1]),
    seconds: Number(m[1]) / Number(m[2]),
    extra: { records_per_sec: Number(m[2]), mb_per_sec: Number(m[3]), avg_latency_ms: Number(m[4]), max_latency_ms: Number(m[5]) },
  };
}

/** The CSV pair: a header starting "start.time, end.time, ..." and one line of values. */
export function parseConsumerPerformance(stdout: string): SelfReport {
  const lines = stdout.split('\n').map((l) => l.trim());
  const at = lines.findIndex((l) => l.startsWith('start.time'));
  const values = at >= 0 ? lines.slice(at + 1).find((l) => l !== '') : undefined;
  if (at < 0 || values === undefined) throw new Error('ConsumerPerformance printed no statistics');
  const keys = lines[at]!.split(',').map((k) => k.trim());
  const vals = values.split(',').map((v) => v.trim());
  const num = (key: string): number => {
    const v = Number(vals[keys.indexOf(key)]);
    if (!Number.isFinite(v)) throw new Error(`ConsumerPerformance: no number for ${key}`);
    return v;
  };
  return {
    records: num('data.consumed.in.nMsg'),
    seconds: num('fetch.time.ms') / 1000,
    extra: { fetch_mb_per_sec: num('fetch.MB.sec'), mb_per_sec_incl_join: num('MB.sec'), rebalance_ms: num('rebalance.time.ms'), fetch_ms: num('fetch.time.ms') },
  };
}

/** The one JSON object `kafka-backup backup|restore --json` prints on success. */
export function parseKafkaBackup(stdout: string): SelfReport {
  const last = stdout.trim().split('\n').at(-1) ?? '';
  let s: Record<string, unknown>;
  try {
    s = JSON.parse(last) as Record<string, unknown>;
  } catch {
    throw new Error('kafka-backup printed no JSON summary');
  }
  const n = (key: string): number => {
    const v = s[key];
    if (typeof v !== 'number') throw new Error(`kafka-backup summary has no number ${key}`);
    return v;
  };
  return {
    records: n('records'),
    seconds: n('duration_ms') / 1000,
    extra: {
      records_per_sec: n('records_per_sec'),
      mb_per_sec: n('mb_per_sec'),
      raw_bytes: n('raw_bytes'),
      stored_bytes: n('stored_bytes'),
      duration_ms: n('duration_ms'),
      compression_ratio: typeof s['compression_ratio'] === 'number' ? s['compression_ratio'] : null,
    },
  };
}

export const parsers = {
  'producer-perf': parseProducerPerformance,
  'consumer-perf': parseConsumerPerformance,
  'kafka-backup': parseKafkaBackup,
} as const;

export type ParserName = keyof typeof parsers;
