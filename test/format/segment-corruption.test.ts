import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ErrorCode } from '../../src/errors.js';
import { SegmentReader } from '../../src/format/segment-reader.js';
import { FastBackend, assertFails, codecNames, writeSegment } from './helpers.js';
import { fixtureLog } from './fixtures.js';

const KEY = 'b/topics/t/3/segments/00000000000000000000.kbs';

/** Opens the object and reads every block, as a restore would. */
async function readFully(storage: FastBackend): Promise<void> {
  const reader = await SegmentReader.open(storage, KEY);
  for await (const _ of reader.batches()) void _;
}

async function expectFailure(object: Buffer, code: ErrorCode, what: string): Promise<void> {
  const storage = new FastBackend();
  await storage.put(KEY, object);
  await assertFails(() => readFully(storage), code, KEY, what);
}

interface Region {
  name: string;
  start: number;
  end: number;
  code: ErrorCode;
}

for (const codec of codecNames) {
  describe(`segment corruption (${codec})`, async () => {
    const storage = new FastBackend();
    const batches = await fixtureLog(0, 12);
    await writeSegment(storage, KEY, codec, batches, 700);
    const good = storage.objects.get(KEY)!.data;
    const reader = await SegmentReader.open(storage, KEY);
    const indexStart = reader.blocks.at(-1)!.position + 12 + reader.blocks.at(-1)!.storedLength;

    const regions: Region[] = [
      { name: 'header magic', start: 0, end: 8, code: 'BACKUP_CORRUPT' },
      { name: 'format version', start: 8, end: 10, code: 'FORMAT_UNSUPPORTED' },
      { name: 'codec id', start: 10, end: 11, code: 'FORMAT_UNSUPPORTED' },
      { name: 'header reserved', start: 11, end: 16, code: 'BACKUP_CORRUPT' },
      ...reader.blocks.flatMap((b, i): Region[] => [
        { name: `block ${i} header`, start: b.position, end: b.position + 12, code: 'BACKUP_CORRUPT' },
        { name: `block ${i} payload`, start: b.position + 12, end: b.position + 12 + b.storedLength, code: 'BACKUP_CORRUPT' },
      ]),
      { name: 'index', start: indexStart, end: good.length - 32, code: 'BACKUP_CORRUPT' },
      { name: 'trailer', start: good.length - 32, end: good.length, code: 'BACKUP_CORRUPT' },
    ];

    test('the intact object reads', async () => {
      assert.ok(reader.blocks.length >= 3);
      await readFully(storage);
    });

    test('regions tile the whole object', () => {
      regions.forEach((r, i) => assert.equal(r.start, i === 0 ? 0 : regions[i - 1]!.end, r.name));
      assert.equal(regions.at(-1)!.end, good.length);
    });

    for (const region of regions) {
      test(`a flipped byte anywhere in the ${region.name} fails with ${region.code}`, async () => {
        for (let pos = region.start; pos < region.end; pos++) {
          const bad = Buffer.from(good);
          bad[pos]! ^= 0xff;
          await expectFailure(bad, region.code, `${region.name} byte ${pos}`);
        }
      });
    }

    test('a truncated object is corrupt', async () => {
      for (const cut of [1, 8, 31, 32, 33, 100, Math.floor(good.length / 2), good.length - 20]) {
        await expectFailure(good.subarray(0, good.length - cut), 'BACKUP_CORRUPT', `cut ${cut}`);
      }
    });

    test('bytes appended after the trailer make it corrupt', async () => {
      await expectFailure(Buffer.concat([good, Buffer.from('x')]), 'BACKUP_CORRUPT', 'appended byte');
    });
  });
}

describe('segment header versions', () => {
  test('version 2 is unsupported, version 0 is corrupt, codec 3 is unsupported', async () => {
    const storage = new FastBackend();
    await writeSegment(storage, KEY, 'none', await fixtureLog(0, 2), 1000);
    const good = storage.objects.get(KEY)!.data;
    const patched = (at: number, value: number): Buffer => {
      const b = Buffer.from(good);
      b[at] = value;
      return b;
    };
    await expectFailure(patched(9, 2), 'FORMAT_UNSUPPORTED', 'version 2');
    await expectFailure(patched(9, 0), 'BACKUP_CORRUPT', 'version 0');
    await expectFailure(patched(10, 3), 'FORMAT_UNSUPPORTED', 'codec 3');
  });

  test('a missing object is STORAGE_NOT_FOUND', async () => {
    await assertFails(() => SegmentReader.open(new FastBackend(), KEY), 'STORAGE_NOT_FOUND', KEY);
  });
});
