// A progress line on a terminal (rewritten in place every second) and the end-of-run summary.
// Off a terminal there is no progress line: the JSON logs carry the same facts.
import type { TransferStats, TransferSummary } from '../pipeline/shared/stats.js';
import { bytes, count, duration } from './format.js';

export function startProgress(stats: TransferStats, verb: string): () => void {
  if (!process.stderr.isTTY) return () => undefined;
  const draw = () => {
    const s = stats.summary();
    const line =
      `${verb}: ${stats.partitionsDone}/${stats.partitionsTotal} partitions, ${count(s.records)} records, ` +
      `${bytes(s.raw_bytes)} (${s.mb_per_sec} MB/s), ${bytes(s.stored_bytes)} stored`;
    process.stderr.write(`\r\x1b[2K${line}`);
  };
  const timer = setInterval(draw, 1000);
  return () => {
    clearInterval(timer);
    process.stderr.write('\r\x1b[2K');
  };
}

export interface SummaryLabels {
  /** What the Kafka bytes were: "read from Kafka" (backup) or "written to Kafka" (restore). */
  kafka: string;
  /** What the storage bytes were: "stored" (backup) or "read from storage" (restore). */
  storage: string;
}

export function renderSummary(title: string, s: TransferSummary, labels: SummaryLabels): string {
  const row = (label: string, value: string) => `  ${(label + ':').padEnd(22)} ${value}`;
  const lines = [
    title,
    row('Records', count(s.records)),
    row('Partitions', count(s.partitions)),
    row(`Bytes ${labels.kafka}`, bytes(s.raw_bytes)),
    row(`Bytes ${labels.storage}`, bytes(s.stored_bytes)),
    row('Duration', duration(s.duration_ms)),
    row('Throughput', `${count(s.records_per_sec)} records/s, ${s.mb_per_sec} MB/s`),
  ];
  if (s.compression_ratio !== null) lines.push(row('Compression ratio', `${s.compression_ratio}x`));
  if (s.aborted_records > 0) lines.push(row('Aborted records', `${count(s.aborted_records)} (never restored)`));
  if (s.gaps > 0) lines.push(row('Gaps', `${s.gaps} (retention deleted records before they were backed up)`));
  if (s.consumer_groups > 0) lines.push(row('Consumer groups', `${count(s.consumer_groups)} (offsets ${labels.kafka === 'read from Kafka' ? 'captured' : 'committed on the target'})`));
  if (s.keyless_skipped > 0) lines.push(row('Keyless skipped', `${count(s.keyless_skipped)} (records without a key, left out of compacted targets)`));
  return lines.join('\n');
}
