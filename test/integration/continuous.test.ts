// Continuous mode: a backup that follows a topic while records arrive in bursts, stops cleanly on
// SIGTERM and SIGINT (exit 0, state complete, everything fetched committed), and is picked up by
// the next run where it stopped. The restore holds every record produced, exactly once, in order.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { roundTripConfig, runCli, startCli, writeConfig, type CliResult } from './helpers/cli.js';
import { bootstrap, tempDir, unique } from './helpers/env.js';
import { createTopic } from './helpers/kafka-tools.js';
import {
  assertDenseOffsets,
  assertSameRecords,
  assertVerifies,
  committedStateProblems,
  produceKeyed,
  readTopic,
  sleep,
  statusOf,
  until,
} from './helpers/invariants.js';

const BURST = 5_000;

test('continuous backup across bursts, SIGTERM and SIGINT loses and repeats nothing', { timeout: 300_000 }, async () => {
  const b = bootstrap();
  const topic = unique('continuous');
  const restored = `${topic}-restored`;
  const id = unique('continuous');
  const dir = tempDir('continuous');
  const storagePath = join(dir, 'storage');
  await createTopic(b, topic, 3);
  const cfg = writeConfig(
    dir,
    'config.yaml',
    roundTripConfig({
      backupId: id,
      storagePath,
      bootstrap: b,
      include: [topic],
      mapping: { [topic]: restored },
      backup: { mode: 'continuous', segment_max_interval_ms: 500, poll_interval_ms: 200, checkpoint_interval_secs: 1 },
    }),
  );
  let produced = 0;
  const burst = async () => {
    await produceKeyed(b, topic, produced + 1, produced + BURST);
    produced += BURST;
  };
  const committed = async () => (await statusOf(storagePath, id)).totals.records;
  const waitCommitted = (n: number) =>
    until(async () => (await sleep(250), (await committed()) >= n), { timeoutMs: 120_000, what: `${n} records committed` });
  const start = async () => {
    const run = startCli(['backup', '-c', cfg]);
    let result: CliResult | undefined;
    void run.done.then((r) => (result = r));
    // Running once the descriptor names this process as its live owner.
    await until(async () => {
      await sleep(100);
      if (result) throw new Error(`continuous backup exited early (${result.code}):\n${result.stderr}`);
      return (await runCli(['status', '--path', storagePath, '-b', id, '--json'])).stdout.includes('"state":"running"');
    }, { timeoutMs: 60_000, what: 'the backup to run' });
    return run;
  };
  const stop = async (run: ReturnType<typeof startCli>, signal: NodeJS.Signals) => {
    run.child.kill(signal);
    const r = await run.done;
    assert.equal(r.code, 0, `continuous backup stopped by ${signal} exited ${r.code} (${r.signal}):\n${r.stderr}`);
    assert.deepEqual(committedStateProblems(storagePath, id), [], `committed state after ${signal}`);
    const s = await statusOf(storagePath, id);
    assert.equal(s.state, 'complete', `state after ${signal}`);
    return s.totals.records;
  };

  // Run 1: a burst before it starts, three while it runs; SIGTERM once all are committed.
  await burst();
  const run1 = await start();
  for (let i = 0; i < 3; i++) {
    await sleep(300);
    await burst();
  }
  await waitCommitted(produced);
  assert.equal(await stop(run1, 'SIGTERM'), produced, 'records committed by run 1');

  // Run 2: a burst while stopped, then one in flight when SIGINT arrives.
  await burst();
  const run2 = await start();
  await waitCommitted(produced);
  const inFlight = burst();
  await sleep(50);
  const atSigint = await stop(run2, 'SIGINT');
  await inFlight;
  assert.ok(atSigint >= produced - BURST && atSigint <= produced, `run 2 committed ${atSigint} of ${produced} records`);

  // Run 3 takes over where run 2 stopped and catches up.
  const run3 = await start();
  await burst();
  await waitCommitted(produced);
  assert.equal(await stop(run3, 'SIGTERM'), produced, 'records committed by run 3');
  await assertVerifies(storagePath, id, 'after three continuous runs');
  const descriptor = JSON.parse(readFileSync(join(storagePath, id, 'backup.json'), 'utf8')) as { mode: string; runs: { result: string }[] };
  assert.equal(descriptor.mode, 'continuous');
  assert.deepEqual(descriptor.runs.map((x) => x.result), ['complete', 'complete', 'complete'], 'a run stopped by a signal is complete');

  const r = await runCli(['restore', '-c', cfg]);
  assert.equal(r.code, 0, `restore exited ${r.code}:\n${r.stderr}`);
  const source = await readTopic(b, topic);
  assert.equal(source.length, produced, 'the source topic holds every produced record');
  const target = await readTopic(b, restored);
  assertSameRecords(source, target, 'restore of three continuous runs');
  assertDenseOffsets(target, 'restored topic');
});
