// validate-restore's read of the records a restore would write, for the target limits only the
// records themselves can break (docs/restore-targets.md):
// - a record that needs a batch larger than the target's max.message.bytes on its own: the
//   restore would stop there. Only blocks larger than the limit can hold a batch larger than it,
//   so only those are read, and only batches larger than it are rebuilt as the restore would;
// - records without a key bound for a compacted target: counted exactly (those partitions are
//   decoded); a problem with restore.keyless_records: fail, a warning with skip.
import type { Config } from '../../../config/types.js';
import { SegmentReader } from '../../../format/segment-reader.js';
import { visitRecords } from '../../../records/produce.js';
import { rebuildToFit } from '../../../records/rebuild-to-fit.js';
import type { StorageBackend } from '../../../storage/backend.js';
import { blockMayMatch, judgeBatch, recordMatches, restoreFilterFor } from '../filter.js';
import type { RestorePartitionPlan } from './plan.js';
import type { TargetLimits } from './target-limits.js';

export interface PartitionScan {
  targetTopic: string;
  partition: number;
  /** Records without a key the restore would meet (compacted targets only). */
  keyless: number | undefined;
  firstKeylessOffset: number | undefined;
  /** Records too large for the target on their own: source offset and the batch size they need. */
  tooLarge: { offset: number; bytes: number }[];
}

export async function scanPartition(config: Config, p: RestorePartitionPlan, l: TargetLimits, storage: StorageBackend): Promise<PartitionScan> {
  const out: PartitionScan = { targetTopic: p.targetTopic, partition: p.partition, keyless: l.compacted ? 0 : undefined, firstKeylessOffset: undefined, tooLarge: [] };
  const max = l.maxMessageBytes;
  if (!l.compacted && max === undefined) return out;
  const f = restoreFilterFor(config.restore, p.sourceTopic, p.partition);
  const skipKeyless = l.compacted && config.restore.keyless_records === 'skip';
  for (const seg of p.manifest.segments) {
    const reader = await SegmentReader.open(storage, seg.key, { size: seg.stored_bytes });
    const wanted = (e: (typeof reader.blocks)[number]) => (!f || blockMayMatch(f, e)) && (l.compacted || (max !== undefined && e.rawLength > max));
    if (!reader.blocks.some(wanted)) continue;
    for await (const batch of reader.batches({ blocks: wanted })) {
      const h = batch.header;
      if (h.isControl || h.recordCount === 0 || (f && judgeBatch(f, h, false) === 'none')) continue;
      const matches = (o: number, t: number) => !f || recordMatches(f, o, t);
      if (l.compacted) {
        await visitRecords(h, batch.bytes, (o, t, r) => {
          if (r.key === null && matches(o, t)) {
            out.keyless!++;
            out.firstKeylessOffset ??= o;
          }
        });
      }
      if (max !== undefined && batch.bytes.length > max) {
        await rebuildToFit(h, batch.bytes, {
          keep: (o, t, r) => matches(o, t) && !(skipKeyless && r.key === null),
          maxRecords: config.restore.produce_batch_size,
          maxBytes: max,
          onTooLarge: (offset, bytes) => out.tooLarge.push({ offset, bytes }),
        });
      }
    }
  }
  return out;
}

/** The findings as sentences: problems (the restore would stop) and warnings. */
export function describeScan(s: PartitionScan, l: TargetLimits, config: Config): { problems: string[]; warnings: string[] } {
  const where = `${s.targetTopic}/${s.partition}`;
  const problems: string[] = [];
  const warnings: string[] = [];
  const shown = s.tooLarge.slice(0, 10);
  for (const r of shown) {
    problems.push(
      `${where}: the record at source offset ${r.offset} needs a ${r.bytes}-byte batch on its own, more than max.message.bytes ${l.maxMessageBytes} of ${s.targetTopic}; ` +
        `the restore would stop there (${l.origin === 'created' ? 'set restore.config_overrides: {"max.message.bytes": "…"}' : 'raise max.message.bytes of the topic with kafka-configs --alter'})`,
    );
  }
  if (s.tooLarge.length > shown.length) problems.push(`${where}: ${s.tooLarge.length - shown.length} more records too large for max.message.bytes ${l.maxMessageBytes}`);
  if (s.keyless) {
    if (config.restore.keyless_records === 'fail') {
      problems.push(
        `${where}: ${s.keyless} record${s.keyless === 1 ? '' : 's'} without a key (the first at source offset ${s.firstKeylessOffset}) bound for ${s.targetTopic}, ` +
          'which is compacted and refuses them; the restore would stop at the first (restore.keyless_records: skip leaves them out)',
      );
    } else {
      warnings.push(`${where}: ${s.keyless} record${s.keyless === 1 ? '' : 's'} without a key would be left out (${s.targetTopic} is compacted; restore.keyless_records: skip)`);
    }
  }
  return { problems, warnings };
}
