// CPU time to compress 64 MiB of the bench's text payload (payload.ts, 1 KiB lines) in 1 MiB
// blocks, one block at a time, per zstd level: `node dist/test/bench/zstd-levels.js 1 3 19`.
// Process CPU time (all threads: compression runs on the libuv pool) disturbs less than wall time
// on a shared machine; best of 5 runs. A script, not a test.
import { createZstdCodec } from '../../src/codec/zstd.js';
import { payloadLines } from './payload.js';

const MiB = 1024 * 1024;
const data = Buffer.from(payloadLines(64 * 1024, 1024).join('\n')).subarray(0, 64 * MiB);
const blocks: Buffer[] = [];
for (let i = 0; i < data.length; i += MiB) blocks.push(data.subarray(i, i + MiB));
const levels = process.argv.slice(2).map(Number);
const best = new Map<number, number>();
for (const level of levels.length > 0 ? levels : [1, 3]) {
  const codec = createZstdCodec(level);
  let cpuMs = Infinity;
  let stored = 0;
  for (let run = 0; run < 5; run++) {
    stored = 0;
    const start = process.cpuUsage();
    for (const b of blocks) stored += (await codec.compress(b)).length;
    const used = process.cpuUsage(start);
    cpuMs = Math.min(cpuMs, (used.user + used.system) / 1000);
  }
  best.set(level, cpuMs);
  console.log(`level ${level}: ${cpuMs.toFixed(0)} ms CPU for 64 MiB (${((64 / cpuMs) * 1000).toFixed(0)} MiB/s), stored ${stored} bytes, ratio ${(data.length / stored).toFixed(2)}x`);
}
const [l1, l3] = [best.get(1), best.get(3)];
if (l1 !== undefined && l3 !== undefined) console.log(`CPU time level 3 / level 1: ${(l3 / l1).toFixed(2)}`);
