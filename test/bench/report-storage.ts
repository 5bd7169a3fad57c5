// The report tables of --storage (run.sh): kafka-backup against each storage on the same topic,
// and the large-segment memory step. Each ratio divides the s3 figure by the filesystem figure of
// the same payload, layout and operation: a MiB/s ratio below 1 means S3 (MinIO) was slower than
// the directory, a peak RSS ratio near 1 means the object store cost no extra memory.
import { f1, f2, md, rss } from './markdown.js';
import { storageOf, type LargeSegmentMeta, type StepLine } from './results.js';

const OPS = ['backup', 'restore'] as const;
const ratio = (a: number | null | undefined, b: number | null | undefined) => (a && b ? f2(a / b) : '');
const sameCase = (a: StepLine, b: StepLine) => a.payload === b.payload && a.partitions === b.partitions;
/** payload/partitions cases in the order the run met them. */
const casesOf = (steps: StepLine[]) => [...new Map(steps.map((s) => [`${s.payload}/${s.partitions}`, s])).values()];
/** Storages in the order they ran, filesystem (the reference) first. */
const storagesOf = (steps: StepLine[]) => [...new Set(['filesystem', ...steps.map(storageOf)])];

/** kafka-backup backup and restore at the full size, one row per storage. Empty for a filesystem-only run. */
export function storageTable(steps: StepLine[]): string {
  const ours = steps.filter((s) => (s.op === 'backup' || s.op === 'restore') && s.size_pct === 100 && s.variant === undefined);
  if (!ours.some((s) => storageOf(s) !== 'filesystem')) return '';
  const rows: string[][] = [
    ['Operation', 'Payload', 'Partitions', 'Storage', 'MiB', 'Seconds', 'MiB/s', 'Ratio s3/filesystem', 'Tool-clock MiB/s', 'Tool-clock ratio', 'Peak RSS MiB', 'Peak RSS ratio'],
  ];
  for (const c of casesOf(ours)) {
    for (const op of OPS) {
      const fs = ours.find((x) => x.op === op && sameCase(x, c) && storageOf(x) === 'filesystem');
      for (const storage of storagesOf(ours)) {
        const s = ours.find((x) => x.op === op && sameCase(x, c) && storageOf(x) === storage);
        if (!s) continue;
        const vs = storage !== 'filesystem' && fs !== undefined;
        rows.push([
          `kafka-backup ${op}`, s.payload, String(s.partitions), storage, f1(s.mib), f2(s.wall_s), f1(s.mib_per_s),
          vs ? `**${ratio(s.mib_per_s, fs.mib_per_s)}**` : '', f1(s.self.mib_per_s), vs ? ratio(s.self.mib_per_s, fs.self.mib_per_s) : '',
          rss(s.peak_rss_mib), vs ? ratio(s.peak_rss_mib, fs.peak_rss_mib) : '',
        ]);
      }
    }
  }
  return md(rows, [0, 1, 3]);
}

/** Parts the largest object needed at this part size (an object up to the threshold is one PUT). */
export function partsOf(bytes: number, l: LargeSegmentMeta): number {
  return bytes <= l.multipart_threshold ? 1 : Math.ceil(bytes / l.multipart_part_size);
}

/**
 * The large-segment backups: peak RSS per storage, against the filesystem one with the same
 * settings and against the same storage's throughput-run backup (default segment size). A
 * largest object of fewer than `partsNeeded` parts did not exercise the bound and is marked.
 * Without the settings (l, from the meta line) the parts column stays empty.
 */
export function largeSegmentTable(steps: StepLine[], l: LargeSegmentMeta | undefined, partsNeeded = 6): string {
  const large = steps.filter((s) => s.op === 'backup' && s.variant === 'large-segment');
  if (large.length === 0) return '';
  const rows: string[][] = [
    ['Payload', 'Partitions', 'Storage', 'MiB', 'Largest object MiB', 'Parts', 'MiB/s', 'Peak RSS MiB', 'Peak RSS ratio s3/filesystem', 'Peak RSS MiB, default segments'],
  ];
  for (const c of casesOf(large)) {
    const fs = large.find((x) => sameCase(x, c) && storageOf(x) === 'filesystem');
    for (const storage of storagesOf(large)) {
      const s = large.find((x) => sameCase(x, c) && storageOf(x) === storage);
      if (!s) continue;
      const normal = steps.find((x) => x.op === 'backup' && x.variant === undefined && x.size_pct === 100 && sameCase(x, c) && storageOf(x) === storage);
      const bytes = s.largest_object_bytes;
      let parts = '';
      if (storage === 's3' && bytes !== undefined && l !== undefined) {
        const n = partsOf(bytes, l);
        parts = n < partsNeeded ? `${n} (too few to test the bound)` : String(n);
      }
      rows.push([
        s.payload, String(s.partitions), storage, f1(s.mib), bytes === undefined ? 'n/a' : f1(bytes / 2 ** 20), parts, f1(s.mib_per_s),
        rss(s.peak_rss_mib), storage !== 'filesystem' && fs ? `**${ratio(s.peak_rss_mib, fs.peak_rss_mib)}**` : '', rss(normal?.peak_rss_mib ?? null),
      ]);
    }
  }
  return md(rows, [0, 2]);
}
