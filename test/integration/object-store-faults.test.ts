// The object store goes away in the middle of a backup and of a restore (toxiproxy in front of the
// emulator, disabled and re-enabled): the run retries and finishes, or fails naming the store and a
// rerun finishes; either way the restore holds every source record exactly once. An outage longer
// than the retry budget fails the backup with exit 1 naming the storage location, and a rerun
// completes it. Credentials and missing buckets: object-store-access.test.ts.
//
// Against local emulators a 100k-record backup takes under a second, less than the outage; a
// latency toxic on the proxy (every answer delayed, as over a WAN link) stretches a run to several
// seconds, so the cut lands in its middle. Each test checks that the run was still going when the
// store went away, and a run that succeeded, that it was still going when the store came back.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { runCli, startCli, writeConfig, type CliResult } from './helpers/cli.js';
import { bootstrap, tempDir, unique } from './helpers/env.js';
import { createTopic } from './helpers/kafka-tools.js';
import { assertSameRecords, kcatEndOffsets, produceKeyed, readTopic, sleep, until, type TopicRecord } from './helpers/invariants.js';
import { faultBackends, openStoreUnderTest, type StorageSection, type StoreUnderTest } from './helpers/stores-under-test.js';
import { ToxiProxy } from './helpers/toxiproxy.js';

const TOTAL = 100_000;
const PARTITIONS = 3;
/** A short outage: within the retry budget (src/storage/retry.ts: 6 retries, ~6-12 s in all). */
const SHORT_CUT_MS = 3_000;
/** A long outage: well past the retry budget. The test ends it early once the backup has failed. */
const LONG_CUT_MS = 40_000;
/** Delay of every answer through the proxy while a run is to be cut. */
const LATENCY_MS = 100;

interface Scenario {
  store: StoreUnderTest;
  proxy: ToxiProxy;
  target: string;
  /** A config whose storage goes through the proxy, and one straight to the store. */
  proxied: string;
  direct: string;
}

async function scenario(backend: (typeof faultBackends)[number], topic: string): Promise<Scenario> {
  const store = await openStoreUnderTest(backend);
  const proxy = await ToxiProxy.create(store.upstream);
  const dir = tempDir(`faults-${backend}`);
  const backupId = unique('faults');
  const target = `${topic}-${backupId}`;
  const config = (name: string, storage: StorageSection) =>
    writeConfig(
      dir,
      name,
      JSON.stringify({
        backup_id: backupId,
        source: { bootstrap_servers: [bootstrap()], topics: { include: [topic] }, kafka_config: { 'max.partition.fetch.bytes': 16384 } },
        target: { bootstrap_servers: [bootstrap()] },
        storage,
        // Small fetches, segments and blocks: many uploads and reads, so an outage hits some.
        backup: { segment_max_bytes: '64KiB', block_max_bytes: '16KiB' },
        restore: { topic_mapping: { [topic]: target } },
      }),
    );
  return { store, proxy, target, proxied: config('proxied.yaml', store.through(proxy)), direct: config('direct.yaml', store.direct) };
}

async function closeScenario(s: Scenario): Promise<void> {
  await s.proxy.remove();
  s.store.close();
}

/**
 * Runs `args`, waits for `started` (polled), cuts the store off for `cutMs` (or until the run exits,
 * when `untilExit`), then restores it. Fails the test if the run ended before the cut began.
 */
async function runWithOutage(
  s: Scenario,
  args: string[],
  started: () => Promise<boolean>,
  opts: { cutMs: number; untilExit?: boolean },
): Promise<{ result: CliResult; cutAfterMs: number; exitedAfterCutMs: number }> {
  const { child, done } = startCli(args);
  let exitedAt: number | undefined;
  void done.then(() => (exitedAt = Date.now()));
  const t0 = Date.now();
  let cutAt = t0;
  try {
    await until(async () => exitedAt !== undefined || (await started().catch(() => false)), { timeoutMs: 60_000, what: `${args[0]} to get going` });
    assert.equal(exitedAt, undefined, `${args[0]} finished before the outage began: the test cuts nothing (raise LATENCY_MS?)`);
    cutAt = Date.now();
    await s.proxy.setEnabled(false);
    const cutEnds = cutAt + opts.cutMs;
    while (Date.now() < cutEnds && !(opts.untilExit === true && exitedAt !== undefined)) await sleep(50);
    await s.proxy.setEnabled(true);
  } catch (err) {
    child.kill('SIGKILL');
    await done;
    throw err;
  }
  const result = await done;
  return { result, cutAfterMs: cutAt - t0, exitedAfterCutMs: (exitedAt ?? Date.now()) - cutAt };
}

/** A run that succeeded across a short outage must have been running until the store came back. */
function assertRodeItOut(r: { result: CliResult; exitedAfterCutMs: number }, what: string): void {
  if (r.result.code !== 0) return;
  assert.ok(r.exitedAfterCutMs >= SHORT_CUT_MS, `${what} finished ${r.exitedAfterCutMs} ms into the outage without storage: the cut missed it`);
}

/** A run that failed must say so clearly: exit 1, a STORAGE_* code, the backend and the bucket or container. */
function assertClearStorageFailure(r: CliResult, store: StoreUnderTest, what: string): void {
  assert.equal(r.code, 1, `${what}: expected exit 1, got ${r.code}:\n${r.stderr}`);
  const line = /kafka-backup: (STORAGE_[A-Z_]+): (.*)/.exec(r.stderr);
  assert.ok(line, `${what}: no STORAGE_* error line in stderr:\n${r.stderr.slice(-3000)}`);
  assert.match(line[2]!, store.label, `${what}: the message does not name the backend: ${line[0]}`);
  assert.ok(line[2]!.includes(store.name), `${what}: the message does not name ${store.name}: ${line[0]}`);
}

/** Exit 0 as it is, or a clear storage failure followed by a rerun that exits 0. Says which. */
async function finishes(first: CliResult, args: string[], store: StoreUnderTest, what: string): Promise<string> {
  if (first.code === 0) return `the first run (${retries(first)} retried calls)`;
  assertClearStorageFailure(first, store, what);
  const again = await runCli(args);
  assert.equal(again.code, 0, `${what}: the rerun exited ${again.code}:\n${again.stderr.slice(-3000)}`);
  return `a rerun after (${retries(first)} retried calls): ${errorLine(first)}`;
}

/** Storage calls the run logged as retried (src/storage/retry.ts warns each; streamed writers retry silently). */
const retries = (r: CliResult): number => r.stderr.split('\n').filter((l) => l.includes('retrying')).length;

const errorLine = (r: CliResult): string => /kafka-backup: .*/.exec(r.stderr)?.[0] ?? '(no error line)';

const segmentStored = (store: StoreUnderTest) => () => store.hasKey((k) => k.endsWith('.kbs'));

async function assertBackupIntact(s: Scenario, what: string): Promise<void> {
  const status = await runCli(['status', '--config', s.direct, '--json']);
  assert.equal(status.code, 0, `${what}: status exited ${status.code}:\n${status.stderr}`);
  const view = JSON.parse(status.stdout) as { state: string; totals: { records: number; segments: number } };
  assert.equal(view.state, 'complete', `${what}: backup state`);
  assert.equal(view.totals.records, TOTAL, `${what}: records in the backup`);
  const verify = await runCli(['verify', '--config', s.direct]);
  assert.equal(verify.code, 0, `${what}: verify exited ${verify.code}:\n${verify.stdout}${verify.stderr}`);
}

// The backends run side by side (each with its own topic, bucket and proxy); a backend's tests in order.
describe('object-store outages', { concurrency: faultBackends.length }, () => {
  for (const backend of faultBackends) {
    describe(`${backend} outages during backup and restore`, { timeout: 240_000, concurrency: 1 }, () => {
      let topic = '';
      let source: TopicRecord[] = [];
      before(async () => {
        topic = unique(`faults-${backend}`);
        await createTopic(bootstrap(), topic, PARTITIONS);
        await produceKeyed(bootstrap(), topic, 1, TOTAL);
        source = await readTopic(bootstrap(), topic);
        assert.equal(source.length, TOTAL, 'the fixture topic holds every produced record');
      });

      test(`a ${SHORT_CUT_MS / 1000} s outage mid-backup: finished (or failed clearly and rerun), restored exactly once`, async (t) => {
        const s = await scenario(backend, topic);
        try {
          const latency = await s.proxy.addToxic('latency', 'downstream', { latency: LATENCY_MS });
          const args = ['backup', '--config', s.proxied];
          const run = await runWithOutage(s, args, segmentStored(s.store), { cutMs: SHORT_CUT_MS });
          await s.proxy.removeToxic(latency);
          assertRodeItOut(run, 'the backup');
          const { result, cutAfterMs } = run;
          const how = await finishes(result, args, s.store, 'backup with an outage');
          t.diagnostic(`cut ${cutAfterMs} ms into the backup; completed by ${how}`);
          await assertBackupIntact(s, 'after the outage');

          const restore = await runCli(['restore', '--config', s.direct]);
          assert.equal(restore.code, 0, `restore exited ${restore.code}:\n${restore.stderr.slice(-3000)}`);
          assertSameRecords(source, await readTopic(bootstrap(), s.target), `${backend}: restore of a backup cut mid-run`);
        } finally {
          await closeScenario(s);
        }
      });

      test(`a ${SHORT_CUT_MS / 1000} s outage mid-restore: finished (or failed clearly and rerun), target holds the source exactly once`, async (t) => {
        const s = await scenario(backend, topic);
        try {
          const backup = await runCli(['backup', '--config', s.direct]);
          assert.equal(backup.code, 0, `backup exited ${backup.code}:\n${backup.stderr.slice(-3000)}`);
          const latency = await s.proxy.addToxic('latency', 'downstream', { latency: LATENCY_MS });
          const args = ['restore', '--config', s.proxied];
          // Going: a restore state is stored (so the target topic exists: kcat is not asked about a
          // missing topic) and the target has records.
          const restoring = async () =>
            (await s.store.hasKey((k) => k.includes('/restores/'))) && (await kcatEndOffsets(bootstrap(), s.target, PARTITIONS)).some((o) => o > 0);
          const run = await runWithOutage(s, args, restoring, { cutMs: SHORT_CUT_MS });
          await s.proxy.removeToxic(latency);
          assertRodeItOut(run, 'the restore');
          const { result, cutAfterMs } = run;
          const how = await finishes(result, args, s.store, 'restore with an outage');
          t.diagnostic(`cut ${cutAfterMs} ms into the restore; completed by ${how}`);
          assertSameRecords(source, await readTopic(bootstrap(), s.target), `${backend}: restore cut mid-run`);
        } finally {
          await closeScenario(s);
        }
      });

      test('an outage past the retry budget fails the backup naming the storage; a rerun completes it', async (t) => {
        const s = await scenario(backend, topic);
        try {
          const latency = await s.proxy.addToxic('latency', 'downstream', { latency: LATENCY_MS });
          const args = ['backup', '--config', s.proxied];
          const { result, exitedAfterCutMs } = await runWithOutage(s, args, segmentStored(s.store), { cutMs: LONG_CUT_MS, untilExit: true });
          await s.proxy.removeToxic(latency);
          assert.ok(exitedAfterCutMs < LONG_CUT_MS, `the backup was still running ${LONG_CUT_MS / 1000} s into the outage`);
          assertClearStorageFailure(result, s.store, 'backup during a long outage');
          t.diagnostic(`failed ${exitedAfterCutMs} ms after the store went away: ${errorLine(result)}`);

          const rerun = await runCli(args);
          assert.equal(rerun.code, 0, `the rerun exited ${rerun.code}:\n${rerun.stderr.slice(-3000)}`);
          await assertBackupIntact(s, 'after the rerun');
          const restore = await runCli(['restore', '--config', s.direct]);
          assert.equal(restore.code, 0, `restore exited ${restore.code}:\n${restore.stderr.slice(-3000)}`);
          assertSameRecords(source, await readTopic(bootstrap(), s.target), `${backend}: restore of a backup failed and rerun`);
        } finally {
          await closeScenario(s);
        }
      });
    });
  }
});
