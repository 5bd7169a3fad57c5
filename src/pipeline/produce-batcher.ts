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
// - with a target (its limits known), no produced batch is larger than the topic's max.message.bytes:
//   merging stops short of it and larger batches are rebuilt into pieces (records/rebuild-to-fit.ts);
//   a single record larger than it stops the restore before anything of its batch is produced. A
//   compacted target refuses records without a key: they stop the restore, or with
//   keyless 'skip' they are dropped like filtered records (the offset map and resume stay exact).
// - with provenance headers (restore.provenance_headers), every sent record is rebuilt with them
//   appended (src/records/provenance.ts); nothing is passed through as stored, small uncompressed
//   batches are still merged once rebuilt. Record counts, skip and source ranges are unchanged.
// Each produced batch carries the next idempotent sequence numbers of this partition.
import type { RawBatch } from '../records/batch.js';
import { NON_IDEMPOTENT, mergeUncompressed, needsRebuild, rebuildBatch, stampForProduce, visitRecords, type SourceRange } from '../records/produce.js';
import { withProvenance, type ProvenanceHeaders } from '../records/provenance.js';
import { rebuildToFit } from '../records/rebuild-to-fit.js';
import type { ProducerIdentity } from '../kafka/transport.js';
import type { KafkaRecord } from '../records/record.js';
import { judgeBatch, recordMatches, type RestoreFilter } from './restore-filter.js';
import { keylessError, recordTooLargeError, type BatchTarget } from './batch-target.js';

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
  /** Keyless records dropped for a compacted target (keyless 'skip'). */
  keylessSkipped = 0;
  private readonly maxBytes: number;
  private readonly mergeMaxBytes: number;
  private readonly target: BatchTarget | undefined;
  private readonly provenance: ProvenanceHeaders | undefined;

  constructor(
    private readonly identity: ProducerIdentity,
    private readonly batchSize: number,
    private skip: number,
    private readonly filter?: RestoreFilter,
    options: { target?: BatchTarget | undefined; provenance?: ProvenanceHeaders | undefined } = {},
  ) {
    this.target = options.target;
    this.provenance = options.provenance;
    this.maxBytes = this.target?.maxBytes ?? Number.MAX_SAFE_INTEGER;
    this.mergeMaxBytes = Math.min(MERGE_MAX_BYTES, this.maxBytes);
  }

  /**
   * The batches to send for `batch`. `inWindow`: the caller knows (from the block index) that every
   * timestamp of the batch lies in the filter's time window.
   */
  async add(batch: RawBatch, inWindow = false): Promise<OutgoingBatch[]> {
    const h = batch.header;
    if (h.isControl || h.recordCount === 0) return [];
    let verdict: 'none' | 'all' | 'some' = 'all';
    if (this.filter) {
      verdict = judgeBatch(this.filter, h, inWindow);
      if (verdict === 'none') return [];
    }
    if (this.target?.keyless !== undefined && (await this.keyless(batch))) {
      // keyless 'skip' (else keyless() threw): the batch's keyed matching records, rebuilt.
      return this.addFiltered(batch, (r) => r.key !== null);
    }
    if (verdict === 'some') return this.addFiltered(batch);
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
      out.push(...(await this.rebuilt(batch, false, already)));
      out.push(...(await this.rebuilt(batch, true, already)));
      return out;
    }
    // The batch is a view into a block that the reader releases: keep a copy (a rebuilt one is new).
    const part = mergeable(batch) && h.recordCount <= this.batchSize ? (this.provenance ? await withProvenance(batch, this.provenance) : { header: h, bytes: Buffer.from(batch.bytes) }) : undefined;
    if (part && part.bytes.length <= this.maxBytes) {
      if (this.groupRecords + h.recordCount > this.batchSize || this.groupBytes + part.bytes.length > this.mergeMaxBytes) {
        out.push(...this.flush());
      }
      this.group.push(part);
      this.groupRecords += h.recordCount;
      this.groupBytes += part.bytes.length;
      return out;
    }
    out.push(...this.flush());
    if (needsRebuild(h, batch.bytes) || h.recordCount > this.batchSize || batch.bytes.length > this.maxBytes || this.provenance) {
      out.push(...(await this.rebuilt(batch, true, 0)));
    } else {
      const count = h.recordCount;
      out.push({ bytes: stampForProduce(batch.bytes, this.stamp(count)), recordCount: count, sourceRanges: [{ first: h.baseOffset, last: h.lastOffset }] });
    }
    return out;
  }

  /**
   * A batch only some of whose records are restored (they match the filter and pass `accept`):
   * those records, rebuilt (none: nothing).
   */
  private async addFiltered(batch: RawBatch, accept: (r: KafkaRecord) => boolean = () => true): Promise<OutgoingBatch[]> {
    const filter = this.filter;
    const match = (offset: number, timestamp: number, r: KafkaRecord) => (!filter || recordMatches(filter, offset, timestamp)) && accept(r);
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
    if (already > 0) out.push(...(await this.rebuilt(batch, false, already, match)));
    out.push(...(await this.rebuilt(batch, true, already, match)));
    return out;
  }

  /** Emit whatever is still grouped. Call at the end of the partition. */
  flush(): OutgoingBatch[] {
    if (this.group.length === 0) return [];
    const parts = this.group;
    this.group = [];
    this.groupRecords = 0;
    this.groupBytes = 0;
    return this.merged(parts);
  }

  /** The parts as one stamped batch; split in two when merging made it larger than max.message.bytes. */
  private merged(parts: RawBatch[]): OutgoingBatch[] {
    const count = parts.reduce((n, p) => n + p.header.recordCount, 0);
    if (parts.length === 1) {
      const only = parts[0]!;
      return [{ bytes: stampForProduce(only.bytes, this.stamp(count)), recordCount: count, sourceRanges: [{ first: only.header.baseOffset, last: only.header.lastOffset }] }];
    }
    // Merging rewrites each record's delta varints, which can grow: check the result.
    const merged = mergeUncompressed(parts, this.nextStamp());
    if (merged.bytes.length > this.maxBytes) {
      const mid = Math.floor(parts.length / 2);
      return [...this.merged(parts.slice(0, mid)), ...this.merged(parts.slice(mid))];
    }
    this.stamp(count);
    return [{ bytes: merged.bytes, recordCount: merged.recordCount, sourceRanges: merged.sourceRanges }];
  }

  /**
   * The records of `batch` that pass `match`: with send false the first `count` of them, only
   * reported (already written), not stamped; with send true all but the first `count`, rebuilt into
   * batches of at most batchSize records and the target's max.message.bytes, and stamped.
   */
  private async rebuilt(
    batch: RawBatch,
    send: boolean,
    count: number,
    match: (offset: number, timestamp: number, r: KafkaRecord) => boolean = () => true,
  ): Promise<OutgoingBatch[]> {
    if (!send) {
      let i = 0;
      const r = await rebuildBatch(batch.header, batch.bytes, { keep: (o, t, rec) => match(o, t, rec) && i++ < count, stamp: NON_IDEMPOTENT });
      return r ? [{ bytes: undefined, recordCount: r.recordCount, sourceRanges: r.sourceRanges }] : [];
    }
    // The stamp's sequence is only known once a piece's record count is: rebuild, then stamp.
    const pieces = await rebuildToFit(batch.header, batch.bytes, {
      keep: match,
      skipFirst: count,
      maxRecords: this.batchSize,
      maxBytes: this.maxBytes,
      ...(this.provenance ? { headers: this.provenance } : {}),
      onTooLarge: (offset, bytes) => {
        throw recordTooLargeError(this.target, offset, bytes);
      },
    });
    return pieces.map((r) => ({ bytes: stampForProduce(r.bytes, this.stamp(r.recordCount)), recordCount: r.recordCount, sourceRanges: r.sourceRanges }));
  }

  /**
   * Whether the batch holds records without a key that the restore would write (they match the
   * filter). With keyless 'fail' the first of them stops the restore; with 'skip' they are counted.
   */
  private async keyless(batch: RawBatch): Promise<boolean> {
    const filter = this.filter;
    const offsets: number[] = [];
    await visitRecords(batch.header, batch.bytes, (o, t, r) => {
      if (r.key === null && (!filter || recordMatches(filter, o, t))) offsets.push(o);
    });
    if (offsets.length === 0) return false;
    if (this.target?.keyless === 'fail') throw keylessError(this.target, offsets[0]!, offsets.length);
    this.keylessSkipped += offsets.length;
    return true;
  }

  /** The stamp the next batch gets, without taking its sequence numbers yet. */
  private nextStamp() {
    return { producerId: this.identity.producerId, producerEpoch: this.identity.producerEpoch, baseSequence: this.sequence };
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
