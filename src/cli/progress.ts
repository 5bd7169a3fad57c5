// A progress line on a terminal (rewritten in place every second) and the end-of-run summary.
// Off a terminal there is no progress line: the JSON logs carry the same facts.
import type { TransferStats, TransferSummary } from '../pipeline/stats.js';
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

export function renderSummary(title: string, s: TransferSummary, storedLabel: string): string {
  const lines = [
    title,
    `  Records:           ${count(s.records)}`,
    `  Partitions:        ${count(s.partitions)}`,
    `  Bytes read:        ${bytes(s.raw_bytes)}`,
    `  Bytes ${storedLabel.padEnd(11)} ${bytes(s.stored_bytes)}`,
    `  Duration:          ${duration(s.duration_ms)}`,
    `  Throughput:        ${count(s.records_per_sec)} records/s, ${s.mb_per_sec} MB/s`,
  ];
  if (s.compression_ratio !== null) lines.push(`  Compression ratio: ${s.compression_ratio}x`);
  if (s.aborted_records > 0) lines.push(`  Aborted records skipped: ${count(s.aborted_records)}`);
  if (s.gaps > 0) lines.push(`  Gaps recorded (retention deleted records first): ${s.gaps}`);
  return lines.join('\n');
}
