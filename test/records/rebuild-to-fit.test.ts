// rebuildToFit: the kept records of a batch, cut into batches under a byte and a record limit,
// exactly (records, order, source offsets), and single records too large reported, not produced.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { readBatchHeader } from '../../src/records/batch.js';
import { rebuildToFit } from '../../src/records/rebuild-to-fit.js';
import { buildBatch, buildCompressedBatch, readBack, zlibCodecs, type SimpleRecord } from './build.js';

const T = 1_700_000_000_000;
const value = (n: number, size: number) => Buffer.from(Array.from({ length: size }, (_, i) => (i * 31 + n * 17 + ((i * n) >> 3)) & 0xff));
const records = (n: number, size: number): SimpleRecord[] => Array.from({ length: n }, (_, i) => ({ timestamp: T + ((i * 37) % 11) * 1000, key: `k${i}`, value: value(i, size) }));

async function pieces(batch: Buffer, opts: { maxBytes: number; maxRecords?: number; keep?: (o: number) => boolean; skipFirst?: number }) {
  const tooLarge: [number, number][] = [];
  const out = await rebuildToFit(readBatchHeader(batch, 0), batch, {
    maxBytes: opts.maxBytes,
    maxRecords: opts.maxRecords ?? 1000,
    ...(opts.keep ? { keep: (o: number) => opts.keep!(o) } : {}),
    ...(opts.skipFirst !== undefined ? { skipFirst: opts.skipFirst } : {}),
    onTooLarge: (o, b) => tooLarge.push([o, b]),
    codecs: zlibCodecs,
  });
  const got = [];
  for (const p of out) {
    assert.ok(p.bytes.length <= opts.maxBytes, `${p.bytes.length} > ${opts.maxBytes}`);
    const offsets = p.sourceRanges.flatMap((r) => Array.from({ length: r.last - r.first + 1 }, (_, i) => r.first + i));
    got.push(...(await readBack(p.bytes)).map((r, i) => ({ ...r, offset: offsets[i]! })));
  }
  return { out, got, tooLarge };
}

describe('rebuildToFit', () => {
  for (const codec of [0, 1]) {
    test(`codec ${codec}: pieces under the limits hold exactly the kept records`, async () => {
      const spec = { baseOffset: 500, codec, records: records(50, 2000) };
      const batch = codec === 0 ? buildBatch(spec) : await buildCompressedBatch(spec);
      const all = (await readBack(batch)).map((r) => ({ ...r }));
      const whole = await pieces(batch, { maxBytes: batch.length + 100 });
      assert.equal(whole.out.length, 1, 'fits: one piece');
      assert.deepEqual(whole.got, all);

      for (const maxBytes of [3000, 10_000, 33_333]) {
        const r = await pieces(batch, { maxBytes, maxRecords: 7 });
        assert.deepEqual(r.got, all, `maxBytes ${maxBytes}`);
        assert.ok(r.out.every((p) => p.recordCount <= 7));
        assert.deepEqual(r.tooLarge, []);
      }
      const kept = await pieces(batch, { maxBytes: 9000, keep: (o) => o % 3 !== 0, skipFirst: 4 });
      assert.deepEqual(kept.got, all.filter((r) => r.offset % 3 !== 0).slice(4));
    });
  }

  test('a record too large on its own is reported with its offset and left out; the others still fit', async () => {
    const rs = records(6, 500);
    rs[2] = { timestamp: T, key: 'huge', value: value(99, 20_000) };
    const batch = buildBatch({ baseOffset: 10, records: rs });
    const r = await pieces(batch, { maxBytes: 5000 });
    assert.equal(r.tooLarge.length, 1);
    assert.equal(r.tooLarge[0]![0], 12);
    assert.ok(r.tooLarge[0]![1] > 20_000);
    assert.deepEqual(r.got.map((x) => x.offset), [10, 11, 13, 14, 15]);
  });
});
