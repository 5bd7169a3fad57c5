// Restore rate limits against the real broker: a restore with rate_limit_bytes_per_sec or
// rate_limit_records_per_sec stays within the limit over every 1-second window and over the run,
// and comes close to it (so the limit, not the machine, sets the pace). docs/configuration.md,
// restore.rate_limit_*.
//
// How it is measured, independently of kafka-backup's own counters: record timestamps are no help
// (a restore preserves them), so while the restore runs the test samples the target partitions'
// end offsets every 250 ms through its own kafkajs admin client (one ListOffsets round trip, a few
// ms; kcat -Q and GetOffsetShell start a process per sample, whose duration blurs the sample
// time). Bytes are derived from records: every record has the same size (600-byte values, so
// that 60,000 records take 6-8 s at either limit), and the --json summary gives the produced bytes
// per record. The summary's own rate (records / duration_ms, where the duration also covers
// connecting and planning) is checked too.
//
// Margins, for a shared 2-core machine running the broker, the restore and this test:
// - no window of ≥ 1 s may exceed the limit by more than 10%. The limiter itself allows one
//   produced batch (100 records: 1%) over the rate, and after a stall a catch-up of at most one
//   burst (1/20 s: 5%). What the broker adds: records sent before a broker pause are appended
//   after it (up to 5 batches in flight per partition). Measured on this machine: at most 5.3%
//   over, under extra CPU load.
// - the overall rate, between the first and the last sample that saw records arriving, must be
//   within 3% above the limit and at most 10% below it (measured: 0-2% below).
// - the unlimited baseline must be at least 1.3 × each limit, or the checks above would measure
//   the machine rather than the limiter.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { roundTripConfig, runCli, startCli, writeConfig } from './helpers/cli.js';
import { bootstrap, tempDir, unique } from './helpers/env.js';
import { createTopic, kcat } from './helpers/kafka-tools.js';
import { sleep, until } from './helpers/invariants.js';

const PARTITIONS = 4;
const TOTAL = 60_000;
const VALUE_BYTES = 600;
const BYTES_LIMIT = 5_000_000;
const RECORDS_LIMIT = 10_000;
const SAMPLE_MS = 250;

interface Sample {
  /** ms: the ListOffsets round trip began, ended; its answer holds at some moment in between */
  from: number;
  to: number;
  /** records in the target, all partitions */
  n: number;
}

const mid = (s: Sample) => (s.from + s.to) / 2;

interface Summary {
  records: number;
  raw_bytes: number;
  duration_ms: number;
}

/**
 * Records/s over each span from a sample to the first sample ≥ 1 s later; the highest. A span is
 * timed from the start of its first read to the end of its last, so a slow read cannot make a
 * window look busier than it was.
 */
function maxWindowRate(samples: Sample[]): number {
  let max = 0;
  for (let i = 0, j = 0; i < samples.length; i++) {
    j = Math.max(j, i + 1);
    while (j < samples.length && mid(samples[j]!) - mid(samples[i]!) < 1000) j++;
    if (j >= samples.length) break;
    const s = samples[i]!;
    const e = samples[j]!;
    max = Math.max(max, ((e.n - s.n) * 1000) / (e.to - s.from));
  }
  return max;
}

/** Records/s between the first and the last sample that saw records arriving. */
function overallRate(samples: Sample[]): number {
  const first = samples.findIndex((s) => s.n > 0);
  let last = samples.length - 1;
  while (last >= 0 && samples[last]!.n >= TOTAL) last--; // the last sample before completion
  assert.ok(first >= 0 && last - first >= 8, `too few samples while records arrived: ${JSON.stringify(samples)}`);
  const s = samples[first]!;
  const e = samples[last]!;
  return ((e.n - s.n) * 1000) / (mid(e) - mid(s));
}

describe('restore rate limits', { timeout: 240_000 }, () => {
  const b = bootstrap();
  const topic = unique('rate-limit');
  const id = unique('rate-limit');
  const dir = tempDir('rate-limit');
  const storagePath = join(dir, 'storage');
  let admin: Admin;
  let baseline: Summary;

  /** Restore the backup into a new topic with `restore` options, sampling the target meanwhile. */
  async function restoreSampled(name: string, restore: Record<string, unknown>): Promise<{ summary: Summary; samples: Sample[] }> {
    const target = `${topic}-${name}`;
    await createTopic(b, target, PARTITIONS);
    const records = async () => (await admin.fetchTopicOffsets(target)).reduce((n, o) => n + Number(o.offset), 0);
    // Right after creation the broker may not lead the partitions yet (NOT_LEADER): wait for it.
    await until(() => records().then(() => true, () => false), { timeoutMs: 30_000, what: `${target} to answer ListOffsets` });
    const cfg = writeConfig(
      dir,
      `${name}.yaml`,
      // Produced batches of 100 records (~65 kB): about 1% of either limit, so one batch more or
      // less in a window does not decide the check.
      roundTripConfig({ backupId: id, storagePath, bootstrap: b, include: [topic], mapping: { [topic]: target }, restore: { produce_batch_size: 100, ...restore } }),
    );
    const run = startCli(['restore', '-c', cfg, '--json']);
    let exited = false;
    void run.done.then(() => (exited = true));
    const samples: Sample[] = [];
    const start = performance.now();
    for (let k = 1; !exited; k++) {
      const from = performance.now();
      samples.push({ from, n: await records(), to: performance.now() });
      await sleep(Math.max(0, start + k * SAMPLE_MS - performance.now()));
    }
    const result = await run.done;
    assert.equal(result.code, 0, `restore (${name}) exited ${result.code}:\n${result.stderr.slice(-3000)}`);
    const summary = JSON.parse(result.stdout.trim().split('\n').pop()!) as Summary;
    assert.equal(await records(), TOTAL, `${target} holds every record`);
    assert.equal(summary.records, TOTAL);
    return { summary, samples };
  }

  const samplesLine = (samples: Sample[]) =>
    `${samples.length} samples, slowest read ${Math.round(Math.max(...samples.map((x) => x.to - x.from)))} ms` +
    (process.env.KB_DEBUG_SAMPLES ? `: ${samples.map((x) => `${Math.round(x.from)}+${Math.round(x.to - x.from)}:${x.n}`).join(' ')}` : '');
  const report = (what: string, lines: string[]) => process.stderr.write(`restore-rate-limit, ${what}: ${lines.join('; ')}\n`);

  before(async () => {
    admin = new Kafka({ clientId: 'rate-limit-test', brokers: [b], logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    await createTopic(b, topic, PARTITIONS);
    const value = 'v'.repeat(VALUE_BYTES);
    const lines: string[] = [];
    for (let i = 0; i < TOTAL; i++) lines.push(`k${String(i).padStart(6, '0')}:${value}`);
    // Batches of at most 100 records, uncompressed: the restore passes them through or merges
    // them into its produce batches of 100.
    await kcat(
      ['-P', '-b', b, '-t', topic, '-K:', '-X', 'topic.partitioner=murmur2_random', '-X', 'linger.ms=5', '-X', 'batch.num.messages=100'],
      lines.join('\n') + '\n',
    );
    const cfg = writeConfig(dir, 'backup.yaml', roundTripConfig({ backupId: id, storagePath, bootstrap: b, include: [topic] }));
    const backup = await runCli(['backup', '-c', cfg]);
    assert.equal(backup.code, 0, `backup exited ${backup.code}:\n${backup.stderr}`);
    baseline = (await restoreSampled('unlimited', {})).summary;
    report('unlimited', [
      `${Math.round((baseline.records * 1000) / baseline.duration_ms)} records/s`,
      `${((baseline.raw_bytes / baseline.duration_ms) * 1000 / 1e6).toFixed(2)} MB/s`,
    ]);
  });

  after(async () => {
    await admin?.disconnect();
  });

  test('rate_limit_bytes_per_sec "5MB": every second and the whole run within the limit, and close to it', async () => {
    const bytesPerRecord = baseline.raw_bytes / baseline.records;
    assert.ok((baseline.raw_bytes / baseline.duration_ms) * 1000 >= 1.3 * BYTES_LIMIT, 'unlimited restore is fast enough for the limit to bind');
    const m = await restoreSampled('bytes', { rate_limit_bytes_per_sec: '5MB' });
    assert.equal(m.summary.raw_bytes, baseline.raw_bytes, 'the same batches were produced');
    const summaryRate = (m.summary.raw_bytes / m.summary.duration_ms) * 1000;
    const overall = overallRate(m.samples) * bytesPerRecord;
    const maxWindow = maxWindowRate(m.samples) * bytesPerRecord;
    report('bytes', [
      `limit ${BYTES_LIMIT / 1e6} MB/s`,
      `summary ${(summaryRate / 1e6).toFixed(3)} MB/s over ${m.summary.duration_ms} ms`,
      `sampled overall ${(overall / 1e6).toFixed(3)} MB/s`,
      `busiest 1 s window ${(maxWindow / 1e6).toFixed(3)} MB/s`,
      samplesLine(m.samples),
    ]);
    assert.ok(maxWindow <= 1.1 * BYTES_LIMIT, `busiest window ${maxWindow} B/s exceeds the limit by more than 10%`);
    assert.ok(summaryRate <= 1.01 * BYTES_LIMIT, `summary rate ${summaryRate} B/s is above the limit`);
    assert.ok(overall <= 1.03 * BYTES_LIMIT, `overall rate ${overall} B/s is above the limit`);
    assert.ok(overall >= 0.9 * BYTES_LIMIT, `overall rate ${overall} B/s is more than 10% below the limit`);
  });

  test('rate_limit_records_per_sec 10000: every second and the whole run within the limit, and close to it', async () => {
    assert.ok((baseline.records / baseline.duration_ms) * 1000 >= 1.3 * RECORDS_LIMIT, 'unlimited restore is fast enough for the limit to bind');
    const m = await restoreSampled('records', { rate_limit_records_per_sec: RECORDS_LIMIT });
    const summaryRate = (m.summary.records / m.summary.duration_ms) * 1000;
    const overall = overallRate(m.samples);
    const maxWindow = maxWindowRate(m.samples);
    report('records', [
      `limit ${RECORDS_LIMIT} records/s`,
      `summary ${Math.round(summaryRate)} records/s over ${m.summary.duration_ms} ms`,
      `sampled overall ${Math.round(overall)} records/s`,
      `busiest 1 s window ${Math.round(maxWindow)} records/s`,
      samplesLine(m.samples),
    ]);
    assert.ok(maxWindow <= 1.1 * RECORDS_LIMIT, `busiest window ${maxWindow} records/s exceeds the limit by more than 10%`);
    assert.ok(summaryRate <= 1.01 * RECORDS_LIMIT, `summary rate ${summaryRate} records/s is above the limit`);
    assert.ok(overall <= 1.03 * RECORDS_LIMIT, `overall rate ${overall} records/s is above the limit`);
    assert.ok(overall >= 0.9 * RECORDS_LIMIT, `overall rate ${overall} records/s is more than 10% below the limit`);
  });
});
