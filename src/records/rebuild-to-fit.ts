// Rebuilding a batch into batches a target topic accepts: at most maxRecords records and at most
// maxBytes bytes each (the target's max.message.bytes, which the broker compares with the whole
// batch, log overhead included). Used when a source batch, or what is kept of it, is too large.
// Records, their order and their source offsets are exactly those rebuildBatch keeps; only the
// cut between batches is chosen here.

import type { BatchHeader } from './batch.js';
import { BATCH_HEADER_SIZE } from './batch.js';
import type { RecordCodecs } from './codecs.js';
import type { KafkaRecord } from './record.js';
import { rebuildBatch, type RebuildOptions, type RebuiltBatch } from './rebuild.js';
import { NON_IDEMPOTENT } from './stamp.js';

export interface FitOptions {
  /** Which records to keep; must answer the same every time for the same record (it is asked again per piece). */
  keep?: (offset: number, timestamp: number, record: KafkaRecord) => boolean;
  /** Leave out the first `skipFirst` kept records (already written by an earlier run). */
  skipFirst?: number;
  maxRecords: number;
  maxBytes: number;
  /** Headers appended to each kept record (provenance headers), as rebuildBatch's `headers`. */
  headers?: RebuildOptions['headers'];
  /**
   * A kept record that alone makes a batch larger than maxBytes: it cannot be produced. Called
   * with its source offset and that batch's size; the record is left out. Throw to stop.
   */
  onTooLarge: (offset: number, bytes: number) => void;
  codecs?: RecordCodecs;
}

/**
 * The kept records of a (non-control) batch as rebuilt batches (NON_IDEMPOTENT stamp, the caller
 * stamps them) that each fit maxRecords and maxBytes, in order. One piece when everything fits.
 * Otherwise the records are cut greedily by their estimated size (scaled by the batch's
 * compression ratio); a piece that still comes out too large is halved until it fits.
 */
export async function rebuildToFit(header: BatchHeader, bytes: Buffer, options: FitOptions): Promise<RebuiltBatch[]> {
  const keep = options.keep ?? (() => true);
  const skipFirst = options.skipFirst ?? 0;
  const { maxRecords, maxBytes } = options;
  const build = (from: number, to: number) => {
    let i = 0;
    return rebuildBatch(header, bytes, {
      keep: (o, t, r) => {
        if (!keep(o, t, r)) return false;
        const index = i++;
        return index >= skipFirst + from && index < skipFirst + to;
      },
      stamp: NON_IDEMPOTENT,
      ...(options.headers ? { headers: options.headers } : {}),
      ...(options.codecs ? { codecs: options.codecs } : {}),
    });
  };

  // Pass 1: every kept record in one batch, noting each one's offset and estimated size.
  const kept: { offset: number; size: number }[] = [];
  let seen = 0;
  const whole = await rebuildBatch(header, bytes, {
    keep: (o, t, r) => {
      if (!keep(o, t, r) || seen++ < skipFirst) return false;
      kept.push({ offset: o, size: estimatedSize(options.headers ? { ...r, headers: [...r.headers, ...options.headers(o, t)] } : r) });
      return true;
    },
    stamp: NON_IDEMPOTENT,
    ...(options.headers ? { headers: options.headers } : {}),
    ...(options.codecs ? { codecs: options.codecs } : {}),
  });
  if (!whole) return [];
  if (whole.recordCount <= maxRecords && whole.bytes.length <= maxBytes) return [whole];

  // Pass 2: cut greedily. Compressed records take about `ratio` of their size (with 10% to spare).
  const total = kept.reduce((n, k) => n + k.size, 0);
  const ratio = header.codec === 0 ? 1 : Math.min(1.1, Math.max(0.01, (whole.bytes.length - BATCH_HEADER_SIZE) / Math.max(1, total)) * 1.1);
  const budget = Math.max(1, maxBytes - BATCH_HEADER_SIZE);
  const pieces: [number, number][] = [];
  let start = 0;
  let used = 0;
  for (let i = 0; i < kept.length; i++) {
    const size = kept[i]!.size * ratio;
    if (i > start && (i - start >= maxRecords || used + size > budget)) {
      pieces.push([start, i]);
      start = i;
      used = 0;
    }
    used += size;
  }
  pieces.push([start, kept.length]);

  // Pass 3: build each piece; halve one that is still too large. A single record too large is reported.
  const out: RebuiltBatch[] = [];
  const pending = pieces.reverse();
  while (pending.length > 0) {
    const [from, to] = pending.pop()!;
    const piece = await build(from, to);
    if (!piece) continue;
    if (piece.bytes.length <= maxBytes) out.push(piece);
    else if (to - from === 1) options.onTooLarge(kept[from]!.offset, piece.bytes.length);
    else {
      const mid = from + Math.floor((to - from) / 2);
      pending.push([mid, to], [from, mid]);
    }
  }
  return out;
}

/** About the encoded size of a record in a batch (varints at their largest). */
function estimatedSize(r: KafkaRecord): number {
  let n = 5 + 1 + 10 + 5 + 5 + (r.key?.length ?? 0) + 5 + (r.value?.length ?? 0) + 5;
  for (const h of r.headers) n += 10 + h.key.length + (h.value?.length ?? 0);
  return n;
}
