// Turns stored batches, in offset order, into batches ready to produce to one partition:
// - control batches and empty batches are dropped (markers are never produced);
// - the first `skip` records (already in the target from an earlier run) are not sent again but
//   still reported, so the offset map stays complete;
// - consecutive small uncompressed batches are merged up to produce_batch_size records (and a byte
//   cap), because a broker handles one batch per partition per request;
// - batches that need it (compaction gaps, log-append time) or exceed produce_batch_size are
//   rebuilt; everything else is passed through with only its producer fields and CRC rewritten.
// - with a filter (point-in-time restore), only matching records are sent: batches that cannot match
//   are dropped, batches known to match entirely take the paths above, the rest are rebuilt from
//   their matching records. `skip` counts matching records only, so resuming stays exact.
// - with provenance headers (restore.provenance_headers), every sent record is rebuilt with them
//   appended (src/records/provenance.ts); nothing is passed through as stored, small uncompressed
//   batches are still merged once rebuilt. Record counts, skip and source ranges are unchanged.
// Each produced batch carries the next idempotent sequence numbers of this partition.
import type { RawBatch } from '../records/batch.js';
import { NON_IDEMPOTENT, mergeUncompressed, needsRebuild, rebuildBatch, stampForProduce, type SourceRange } from '../records/produce.js';
import type { ProducerIdentity } from '../kafka/sink.js';
import { withProvenance, type ProvenanceHeaders } from '../records/provenance.js';
import { judgeBatch, recordMatches, type RestoreFilter } from './restore-filter.js';

export interface OutgoingBatch {
  /** Stamped batch bytes; undefined for records already written by an earlier run. */
  bytes: Buffer | undefined;
  recordCount: number;
  sourceRanges: SourceRange[];
}

/** Merged batches stay under Kafka's default max.message.bytes (1 MB) with room to spare. */
export const MERGE_MAX_BYTES = 1_000_000;
const SEQUENCE_WRAP = 2 ** 31;

export class ProduceBatcher {
  private group: RawBatch[] = [];
  private groupRecords = 0;
  private groupBytes = 0;
  private sequence = 0;

  constructor(
    private readonly identity: ProducerIdentity,
    private readonly batchSize: number,
    private skip: number,
    private readonly filter?: RestoreFilter,
    private readonly provenance?: ProvenanceHeaders,
  ) {}

  /**
   * The batches to send for `batch`. `inWindow`: the caller knows (from the block index) that every
   * timestamp of the batch lies in the filter's time window.
   */
  async add(batch: RawBatch, inWindow = false): Promise<OutgoingBatch[]> {
    const h = batch.header;
    if (h.isControl || h.recordCount === 0) return [];
    if (this.filter) {
      const verdict = judgeBatch(this.filter, h, inWindow);
      if (verdict === 'none') return [];
      if (verdict === 'some') return this.addFiltered(batch, this.filter);
    }
    const out: OutgoingBatch[] = [];
    if (this.skip > 0) {
      out.push(...this.flush());
      if (this.skip >= h.recordCount) {
        this.skip -= h.recordCount;
        out.push({ bytes: undefined, recordCount: h.recordCount, sourceRanges: await sourceRangesOf(batch) });
        return out;
      }
      // Part of this batch was written: report that part, send the rest.
      const already = this.skip;
      this.skip = 0;
      out.push(...(await this.rebuilt(batch, (i) => i < already, false)));
      out.push(...(await this.rebuilt(batch, (i) => i >= already, true)));
      return out;
    }
    if (mergeable(batch) && h.recordCount <= this.batchSize) {
      // The batch is a view into a block that the reader releases: keep a copy (a rebuilt one is new).
      const part = this.provenance ? await withProvenance(batch, this.provenance) : { header: h, bytes: Buffer.from(batch.bytes) };
      if (this.groupRecords + h.recordCount > this.batchSize || this.groupBytes + part.bytes.length > MERGE_MAX_BYTES) {
        out.push(...this.flush());
      }
      this.group.push(part);
      this.groupRecords += h.recordCount;
      this.groupBytes += part.bytes.length;
      return out;
    }
    out.push(...this.flush());
    if (needsRebuild(h, batch.bytes) || h.recordCount > this.batchSize || this.provenance) {
      out.push(...(await this.rebuilt(batch, () => true, true)));
    } else {
      const count = h.recordCount;
      out.push({ bytes: stampForProduce(batch.bytes, this.stamp(count)), recordCount: count, sourceRanges: [{ first: h.baseOffset, last: h.lastOffset }] });
    }
    return out;
  }

  /** A batch only some of whose records match: its matching records, rebuilt (none: nothing). */
  private async addFiltered(batch: RawBatch, filter: RestoreFilter): Promise<OutgoingBatch[]> {
    const match = (offset: number, timestamp: number) => recordMatches(filter, offset, timestamp);
    const probe = await rebuildBatch(batch.header, batch.bytes, { keep: match, stamp: NON_IDEMPOTENT });
    if (!probe) return [];
    const out = this.flush();
    if (this.skip >= probe.recordCount) {
      this.skip -= probe.recordCount;
      out.push({ bytes: undefined, recordCount: probe.recordCount, sourceRanges: probe.sourceRanges });
      return out;
    }
    const already = this.skip;
    this.skip = 0;
    if (already > 0) out.push(...(await this.rebuilt(batch, (i) => i < already, false, match)));
    out.push(...(await this.rebuilt(batch, (i) => i >= already, true, match)));
    return out;
  }

  /** Emit whatever is still grouped. Call at the end of the partition. */
  flush(): OutgoingBatch[] {
    if (this.group.length === 0) return [];
    const parts = this.group;
    const count = this.groupRecords;
    this.group = [];
    this.groupRecords = 0;
    this.groupBytes = 0;
    if (parts.length === 1) {
      const only = parts[0]!;
      return [{ bytes: stampForProduce(only.bytes, this.stamp(count)), recordCount: count, sourceRanges: [{ first: only.header.baseOffset, last: only.header.lastOffset }] }];
    }
    const merged = mergeUncompressed(parts, this.stamp(count));
    return [{ bytes: merged.bytes, recordCount: merged.recordCount, sourceRanges: merged.sourceRanges }];
  }

  /**
   * The records of `batch` that pass `match` and whose index among those passes `pick`, rebuilt in
   * chunks of at most batchSize records; with send false they are only reported (already
   * written), not stamped.
   */
  private async rebuilt(
    batch: RawBatch,
    pick: (index: number) => boolean,
    send: boolean,
    match: (offset: number, timestamp: number) => boolean = () => true,
  ): Promise<OutgoingBatch[]> {
    const out: OutgoingBatch[] = [];
    const total = batch.header.recordCount;
    for (let start = 0; start < total; start += this.batchSize) {
      const end = start + this.batchSize;
      let i = 0;
      const keep = (offset: number, timestamp: number) => {
        if (!match(offset, timestamp)) return false;
        const index = i++;
        return index >= start && index < end && pick(index);
      };
      // The stamp's sequence is only known once the kept count is: rebuild, then stamp.
      const r = await rebuildBatch(batch.header, batch.bytes, { keep, headers: send ? this.provenance : undefined, stamp: NON_IDEMPOTENT });
      if (!r) continue;
      if (!send) {
        out.push({ bytes: undefined, recordCount: r.recordCount, sourceRanges: r.sourceRanges });
        continue;
      }
      out.push({ bytes: stampForProduce(r.bytes, this.stamp(r.recordCount)), recordCount: r.recordCount, sourceRanges: r.sourceRanges });
    }
    return out;
  }

  private stamp(recordCount: number) {
    const baseSequence = this.sequence;
    this.sequence = (this.sequence + recordCount) % SEQUENCE_WRAP;
    return { producerId: this.identity.producerId, producerEpoch: this.identity.producerEpoch, baseSequence };
  }
}

function mergeable(b: RawBatch): boolean {
  return b.header.codec === 0 && !needsRebuild(b.header, b.bytes);
}

/** Source offsets of a batch's records: its offset range, or decoded when compaction left gaps. */
async function sourceRangesOf(batch: RawBatch): Promise<SourceRange[]> {
  if (!needsRebuild(batch.header, batch.bytes)) return [{ first: batch.header.baseOffset, last: batch.header.lastOffset }];
  const r = await rebuildBatch(batch.header, batch.bytes, { stamp: NON_IDEMPOTENT });
  return r?.sourceRanges ?? [];
}
