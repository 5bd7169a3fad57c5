// Consumer-group offsets (docs/consumer-groups.md) against the real broker. Groups are committed on
// the source at known positions by the independent checker; after backup and restore, a consumer in
// the restored group (librdkafka, auto.offset.reset=error so nothing is silently reset) must read
// exactly the restored records whose source offset is at or after the group's committed offset:
// on a plain topic, a compacted topic with real gaps, a transactional topic with aborted data and
// markers, and under a time window. The dry run's predicted offsets equal what restore commits.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { runCli, roundTripConfig, startCli, writeConfig } from './helpers/cli.js';
import { dumpWithChecker, produceWithChecker, type CheckerLine, type DumpedRecord } from './helpers/checker.js';
import { bootstrap, tempDir, unique } from './helpers/env.js';
import { alterTopicConfig, bytes, waitFor } from './helpers/fixtures.js';
import { commitGroup, committedOffsets, holdGroup, readAsGroup, type GroupRecord } from './helpers/groups.js';
import { createTopic, endOffsets } from './helpers/kafka-tools.js';

const text = (b: Buffer | null) => (b === null ? null : b.toString('utf8'));

/** What a group committed at `committed` (partition → offset) reads from the restored `source` records. */
function expectedRead(source: DumpedRecord[], committed: Record<number, number>, keep: (r: DumpedRecord) => boolean = () => true): string[] {
  return source
    .filter((r) => committed[r.partition] !== undefined && r.offset >= committed[r.partition]! && keep(r))
    .map((r) => `${r.partition}:${text(r.key)}=${text(r.value)}`);
}

const asRead = (records: GroupRecord[]) => records.map((r) => `${r.partition}:${r.key}=${r.value}`);

/** The target offsets restore should commit: how many restored source records precede the committed offset. */
function expectedTargetOffsets(restored: DumpedRecord[], committed: Record<number, number>): Map<number, number> {
  const out = new Map<number, number>();
  for (const [p, c] of Object.entries(committed)) out.set(Number(p), restored.filter((r) => r.partition === Number(p) && r.offset < c).length);
  return out;
}

interface Prepared {
  dir: string;
  source: string;
  records: DumpedRecord[];
}

/** Back up `source` with the groups matching `${source}-*` captured. */
async function backup(dir: string, source: string, extra: Record<string, unknown> = {}): Promise<string> {
  const b = bootstrap();
  const config = writeConfig(dir, 'backup.json', roundTripConfig({ backupId: source, storagePath: join(dir, 'store'), bootstrap: b, include: [source], backup: { consumer_groups: [`${source}-*`], ...extra } }));
  const r = await runCli(['backup', '--config', config]);
  assert.equal(r.code, 0, r.stderr);
  return config;
}

function restoreConfig(p: Prepared, name: string, target: string, restore: Record<string, unknown>): string {
  return writeConfig(
    p.dir,
    `${name}.json`,
    roundTripConfig({ backupId: p.source, storagePath: join(p.dir, 'store'), bootstrap: bootstrap(), include: [p.source], mapping: { [p.source]: target }, restore }),
  );
}

interface DryRunGroups {
  groups: { source_group: string; target_group: string; partitions: { target: string; committed: number; target_offset: number | null; basis: string }[] }[];
}

/** validate-restore, then restore; returns the dry run's predicted offsets per target group. */
async function dryRunThenRestore(config: string): Promise<Map<string, Map<number, number>>> {
  const dry = await runCli(['validate-restore', '--config', config, '--json']);
  assert.equal(dry.code, 0, dry.stdout + dry.stderr);
  const plan = (JSON.parse(dry.stdout) as { consumer_groups: DryRunGroups }).consumer_groups;
  const predicted = new Map(plan.groups.map((g) => [g.target_group, new Map(g.partitions.map((p) => [Number(p.target.split('/').pop()), p.target_offset!]))]));
  for (const g of plan.groups) for (const p of g.partitions) assert.equal(p.basis, 'predicted');
  const r = await runCli(['restore', '--config', config]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Consumer groups: +\d+ \(offsets committed on the target\)/);
  return predicted;
}

/** Every group: committed offsets on the target equal the expected ones and the dry run's, and a member reads exactly the expected records. */
async function checkGroups(
  target: string,
  predicted: Map<string, Map<number, number>>,
  groups: { target: string; committed: Record<number, number>; keep?: (r: DumpedRecord) => boolean }[],
  source: DumpedRecord[],
): Promise<void> {
  const b = bootstrap();
  for (const g of groups) {
    const want = expectedTargetOffsets(source.filter(g.keep ?? (() => true)), g.committed);
    assert.deepEqual(await committedOffsets(b, g.target, target), want, `committed offsets of ${g.target} on ${target}`);
    assert.deepEqual(predicted.get(g.target), want, `validate-restore's predicted offsets of ${g.target}`);
    assert.deepEqual(asRead(await readAsGroup(b, g.target, target)), expectedRead(source, g.committed, g.keep), `what ${g.target} reads on ${target}`);
  }
}

describe('consumer-group offsets', () => {
  test('plain topic: captured, translated, committed; a mapped group; offsets plan after the restore', { timeout: 240_000 }, async () => {
    const b = bootstrap();
    const dir = tempDir('groups-plain');
    const source = unique('grp-plain');
    await createTopic(b, source, 2);
    const now = Date.now();
    const lines: CheckerLine[] = [];
    for (let i = 0; i < 30; i++) for (let p = 0; p < 2; p++) lines.push({ partition: p, key: bytes(`k${i}`), value: bytes(`p${p}-v${i}`), timestamp: now - (30 - i) * 1000 });
    await produceWithChecker({ bootstrap: b, topic: source, lingerMs: 0 }, lines);
    await commitGroup(b, `${source}-g1`, source, { 0: 10, 1: 25 });
    await commitGroup(b, `${source}-g2`, source, { 0: 0, 1: 30 });
    await commitGroup(b, `other-${source}`, source, { 0: 5 }); // not selected by the backup
    const backupConfig = await backup(dir, source);
    const status = await runCli(['status', '--config', backupConfig, '--json']);
    assert.equal(status.code, 0, status.stderr);
    const groups = (JSON.parse(status.stdout) as { consumer_groups: { captures: number; groups: string[] } }).consumer_groups;
    assert.deepEqual([groups.captures, groups.groups], [1, [`${source}-g1`, `${source}-g2`]]);
    const p: Prepared = { dir, source, records: await dumpWithChecker(b, source) };

    const target = `${source}-restored`;
    const config = restoreConfig(p, 'restore', target, { consumer_groups: ['*'], consumer_group_mapping: { [`${source}-g2`]: `${source}-g2-clone` } });
    const predicted = await dryRunThenRestore(config);
    assert.deepEqual([...predicted.keys()].sort(), [`${source}-g1`, `${source}-g2-clone`]);
    await checkGroups(target, predicted, [
      { target: `${source}-g1`, committed: { 0: 10, 1: 25 } },
      { target: `${source}-g2-clone`, committed: { 0: 0, 1: 30 } },
    ], p.records);

    const plan = await runCli(['offsets', 'plan', '--config', config, '--json']);
    assert.equal(plan.code, 0, plan.stderr);
    const parsed = JSON.parse(plan.stdout) as DryRunGroups & { problems: string[] };
    assert.deepEqual(parsed.problems, []);
    assert.ok(parsed.groups.every((g) => g.partitions.every((x) => x.basis === 'restored')));

    // The group consumed on the target since; a rerun of the restore or of offsets apply leaves it there.
    await commitGroup(b, `${source}-g1`, target, { 0: 12, 1: 29 });
    const rerun = await runCli(['restore', '--config', config]);
    assert.equal(rerun.code, 0, rerun.stderr);
    const apply = await runCli(['offsets', 'apply', '--config', config]);
    assert.equal(apply.code, 0, apply.stderr);
    assert.match(apply.stdout, new RegExp(`Left as they are:\\n  - ${source}-g1 \\(already committed from this capture`));
    assert.deepEqual(await committedOffsets(b, `${source}-g1`, target), new Map([[0, 12], [1, 29]]));
    const forced = await runCli(['offsets', 'apply', '--config', config, '--group', `${source}-g1`, '--force']);
    assert.equal(forced.code, 0, forced.stderr);
    assert.deepEqual(await committedOffsets(b, `${source}-g1`, target), new Map([[0, 10], [1, 25]]));
  });

  test('compacted topic with gaps: a committed offset inside a gap resumes at the next surviving record, with and without a window', { timeout: 240_000 }, async () => {
    const b = bootstrap();
    const dir = tempDir('groups-compact');
    const source = unique('grp-compact');
    await createTopic(b, source, 1, { 'cleanup.policy': 'compact', 'segment.ms': '100', 'min.cleanable.dirty.ratio': '0.01', 'delete.retention.ms': '100', 'min.compaction.lag.ms': '0', 'segment.bytes': '1048576' });
    // Timestamps 10 minutes ahead (the broker accepts up to an hour): a window over them ends after
    // the backup's capture, so the capture applies as of the window end.
    const base = Date.now() + 600_000;
    for (let round = 0; round < 12; round++) {
      const lines: CheckerLine[] = [];
      for (let k = 0; k < 4; k++) lines.push({ partition: 0, key: bytes(k === 3 ? `once-${round}` : `hot-${k}`), value: bytes(`r${round}-k${k}`), timestamp: base + round * 1000 + k });
      await produceWithChecker({ bootstrap: b, topic: source, lingerMs: 0 }, lines);
      await new Promise((r) => setTimeout(r, 250));
    }
    await alterTopicConfig(b, source, { 'segment.ms': '604800000' });
    const records = await waitFor('compaction gaps', 90_000, async () => {
      await produceWithChecker({ bootstrap: b, topic: source, lingerMs: 0 }, [{ partition: 0, key: bytes('hot-0'), value: bytes('roll'), timestamp: base + 50_000 }]);
      const recs = await dumpWithChecker(b, source);
      return recs.filter((r, i) => i > 0 && r.offset > recs[i - 1]!.offset + 1).length >= 3 ? recs : undefined;
    });
    // Committed offsets that fall inside gaps (removed records).
    const gaps = records.filter((r, i) => i > 0 && r.offset > records[i - 1]!.offset + 1).map((r) => r.offset - 1);
    await commitGroup(b, `${source}-early`, source, { 0: gaps[0]! });
    await commitGroup(b, `${source}-late`, source, { 0: gaps[2]! });
    await backup(dir, source);
    const p: Prepared = { dir, source, records };

    const all = `${source}-all`;
    const predictedAll = await dryRunThenRestore(restoreConfig(p, 'all', all, { consumer_groups: ['*'] }));
    await checkGroups(all, predictedAll, [
      { target: `${source}-early`, committed: { 0: gaps[0]! } },
      { target: `${source}-late`, committed: { 0: gaps[2]! } },
    ], records);

    // Under a time window the target offset counts only the restored (in-window) records before C.
    const windowStart = base + 2000;
    const windowEnd = base + 8000;
    const inWindow = (r: DumpedRecord) => r.timestamp >= windowStart && r.timestamp <= windowEnd;
    const win = `${source}-win`;
    const predictedWin = await dryRunThenRestore(
      restoreConfig(p, 'win', win, { consumer_groups: ['*'], consumer_group_mapping: { [`${source}-early`]: `${source}-early-w`, [`${source}-late`]: `${source}-late-w` }, time_window_start: windowStart, time_window_end: windowEnd }),
    );
    const restoredWin = await dumpWithChecker(b, win);
    assert.deepEqual(restoredWin.map((r) => text(r.value)), records.filter(inWindow).map((r) => text(r.value)));
    await checkGroups(win, predictedWin, [
      { target: `${source}-early-w`, committed: { 0: gaps[0]! }, keep: inWindow },
      { target: `${source}-late-w`, committed: { 0: gaps[2]! }, keep: inWindow },
    ], records);
  });

  test('transactional topic: offsets on aborted records and markers resume at the next committed record', { timeout: 240_000 }, async () => {
    const b = bootstrap();
    const dir = tempDir('groups-txn');
    const source = unique('grp-txn');
    await createTopic(b, source, 1);
    const now = Date.now();
    const rec = (i: number): CheckerLine => ({ partition: 0, key: bytes(`k${i}`), value: bytes(`v${i}`), timestamp: now - 60_000 + i });
    const lines: CheckerLine[] = [{ txn: 'begin' }];
    for (let i = 0; i < 5; i++) lines.push(rec(i)); // offsets 0-4
    lines.push({ txn: 'commit' }, { txn: 'begin' }); // marker 5
    for (let i = 5; i < 10; i++) lines.push(rec(i)); // 6-10, aborted
    lines.push({ txn: 'abort' }, { txn: 'begin' }); // marker 11
    for (let i = 10; i < 15; i++) lines.push(rec(i)); // 12-16
    lines.push({ txn: 'commit' }); // marker 17
    await produceWithChecker({ bootstrap: b, topic: source, transactionalId: `${source}-tx`, lingerMs: 0 }, lines);
    const records = await dumpWithChecker(b, source);
    assert.deepEqual(records.map((r) => r.offset), [0, 1, 2, 3, 4, 12, 13, 14, 15, 16]);
    await commitGroup(b, `${source}-marker`, source, { 0: 5 });
    await commitGroup(b, `${source}-aborted`, source, { 0: 8 });
    await commitGroup(b, `${source}-end`, source, { 0: 18 });
    await commitGroup(b, `${source}-mid`, source, { 0: 14 });
    await backup(dir, source);
    const p: Prepared = { dir, source, records };
    const target = `${source}-restored`;
    const predicted = await dryRunThenRestore(restoreConfig(p, 'restore', target, { consumer_groups: [`${source}-*`] }));
    await checkGroups(target, predicted, [
      { target: `${source}-marker`, committed: { 0: 5 } },
      { target: `${source}-aborted`, committed: { 0: 8 } },
      { target: `${source}-end`, committed: { 0: 18 } },
      { target: `${source}-mid`, committed: { 0: 14 } },
    ], records);
    assert.deepEqual(await committedOffsets(b, `${source}-aborted`, target), new Map([[0, 5]]));
    assert.deepEqual(await committedOffsets(b, `${source}-end`, target), new Map([[0, 10]]));

    // allow_append into a topic that already holds 3 records: every target offset moves up by 3,
    // and the same groups (committed earlier for the other target topic) get offsets here too.
    const appended = `${source}-appended`;
    await createTopic(b, appended, 1);
    await produceWithChecker({ bootstrap: b, topic: appended, lingerMs: 0 }, [0, 1, 2].map((i) => ({ partition: 0, key: bytes(`old${i}`), value: bytes(`old${i}`) })));
    const r = await runCli(['restore', '--config', restoreConfig(p, 'appended', appended, { consumer_groups: [`${source}-*`], allow_append: true })]);
    assert.equal(r.code, 0, r.stderr);
    for (const [group, want] of [['marker', 8], ['aborted', 8], ['mid', 10], ['end', 13]] as const) {
      assert.deepEqual(await committedOffsets(b, `${source}-${group}`, appended), new Map([[0, want]]), group);
    }
    assert.deepEqual(await committedOffsets(b, `${source}-mid`, target), new Map([[0, 7]]), 'the first target keeps its offset');
  });

  test('a window end picks the capture taken at or before it; continuous backups capture again when offsets change', { timeout: 240_000 }, async () => {
    const b = bootstrap();
    const dir = tempDir('groups-asof');
    const source = unique('grp-asof');
    const group = `${source}-g`;
    await createTopic(b, source, 1);
    const produce = (from: number, to: number) => {
      const lines: CheckerLine[] = [];
      for (let i = from; i < to; i++) lines.push({ partition: 0, key: bytes(`k${i}`), value: bytes(`v${i}`) });
      return produceWithChecker({ bootstrap: b, topic: source, lingerMs: 0 }, lines);
    };
    await produce(0, 10);
    await commitGroup(b, group, source, { 0: 4 });
    const cfg = writeConfig(dir, 'backup.json', roundTripConfig({ backupId: source, storagePath: join(dir, 'store'), bootstrap: b, include: [source], backup: { mode: 'continuous', consumer_groups: [group], consumer_groups_interval_secs: 1, poll_interval_ms: 100, segment_max_interval_ms: 500 } }));
    const run = startCli(['backup', '--config', cfg]);
    const captures = () => {
      try {
        return readdirSync(join(dir, 'store', source, 'groups')).filter((f) => f.endsWith('.json')).sort();
      } catch {
        return [];
      }
    };
    await waitFor('the first capture', 60_000, async () => (captures().length >= 1 ? true : undefined));
    await new Promise((r) => setTimeout(r, 2500)); // unchanged offsets: no new capture
    assert.equal(captures().length, 1, 'an unchanged capture is not stored again');
    const between = Date.now();
    await new Promise((r) => setTimeout(r, 50));
    await produce(10, 20);
    await commitGroup(b, group, source, { 0: 15 });
    await waitFor('the second capture', 60_000, async () => (captures().length >= 2 ? true : undefined));
    run.child.kill('SIGTERM');
    const done = await run.done;
    assert.equal(done.code, 0, done.stderr);
    const stored = captures().map((f) => JSON.parse(readFileSync(join(dir, 'store', source, 'groups', f), 'utf8')) as { captured_at: string; groups: { group_id: string; offsets: { offset: number }[] }[] });
    assert.deepEqual(stored.map((c) => c.groups.map((g) => [g.group_id, g.offsets.map((o) => o.offset)])), [[[group, [4]]], [[group, [15]]]]);

    // The window ends between the captures: the first one's offset (4) applies; records after it are restored up to the window end.
    const p: Prepared = { dir, source, records: await dumpWithChecker(b, source) };
    const target = `${source}-restored`;
    const config = restoreConfig(p, 'restore', target, { consumer_groups: ['*'], time_window_end: between });
    const dry = await runCli(['validate-restore', '--config', config, '--json']);
    assert.equal(dry.code, 0, dry.stdout + dry.stderr);
    assert.equal((JSON.parse(dry.stdout) as { consumer_groups: { captured_at: string } }).consumer_groups.captured_at, stored[0]!.captured_at);
    const r = await runCli(['restore', '--config', config]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(await committedOffsets(b, group, target), new Map([[0, 4]]));
    assert.deepEqual(asRead(await readAsGroup(b, group, target)), expectedRead(p.records, { 0: 4 }, (x) => x.offset < 10));

    // A window ending before the first capture has no offsets to use: the dry run says so and fails.
    const early = restoreConfig(p, 'early', `${source}-early`, { consumer_groups: ['*'], time_window_end: Date.parse(stored[0]!.captured_at) - 60_000 });
    const bad = await runCli(['validate-restore', '--config', early]);
    assert.equal(bad.code, 3, bad.stdout + bad.stderr);
    assert.match(bad.stderr, /no consumer-group capture at or before restore\.time_window_end/);
  });

  test('a group with active members on the target: the dry run and offsets apply refuse it; once it is empty, offsets apply commits it', { timeout: 240_000 }, async () => {
    const b = bootstrap();
    const dir = tempDir('groups-active');
    const source = unique('grp-active');
    const group = `${source}-g`;
    await createTopic(b, source, 1);
    const lines: CheckerLine[] = [];
    for (let i = 0; i < 10; i++) lines.push({ partition: 0, key: bytes(`k${i}`), value: bytes(`v${i}`) });
    await produceWithChecker({ bootstrap: b, topic: source, lingerMs: 0 }, lines);
    await commitGroup(b, group, source, { 0: 6 });
    await backup(dir, source);
    const p: Prepared = { dir, source, records: await dumpWithChecker(b, source) };
    const target = `${source}-restored`;
    // Data first, without groups; then a consumer joins the group on the target.
    const data = await runCli(['restore', '--config', restoreConfig(p, 'data', target, {})]);
    assert.equal(data.code, 0, data.stderr);
    const member = await holdGroup(b, group, target);
    const untouched = `${source}-not-created`;
    try {
      // A restore that would commit the active group stops before writing anything.
      const refused = await runCli(['restore', '--config', restoreConfig(p, 'refused', untouched, { consumer_groups: [group] })]);
      assert.equal(refused.code, 4, refused.stdout + refused.stderr);
      assert.match(refused.stderr, new RegExp(`consumer group ${group} is active on the target .*stop them before the restore`));
      assert.equal((await endOffsets(b, untouched).catch(() => new Map())).size, 0, 'the target topic was not created');
      const withGroups = restoreConfig(p, 'groups', target, { consumer_groups: [group] });
      const dry = await runCli(['validate-restore', '--config', withGroups]);
      assert.equal(dry.code, 3, dry.stdout + dry.stderr);
      assert.match(dry.stderr, new RegExp(`consumer group ${group} is active on the target`));
      const apply = await runCli(['offsets', 'apply', '--config', withGroups]);
      assert.equal(apply.code, 4, apply.stdout + apply.stderr);
      assert.match(apply.stderr, new RegExp(`consumer group ${group} is active on the target`));
    } finally {
      await member.stop();
    }
    assert.deepEqual(await committedOffsets(b, group, target), new Map(), 'nothing committed while the group was active');
    // Before its restore, the plan for another target is only predicted: it cannot be applied yet.
    const early = await runCli(['offsets', 'plan', '--config', restoreConfig(p, 'early', untouched, { consumer_groups: [group] })]);
    assert.equal(early.code, 3, early.stdout + early.stderr);
    assert.match(early.stderr, new RegExp(`consumer group ${group}: partitions ${untouched}/0 are not completely restored yet`));
    const apply = await runCli(['offsets', 'apply', '--config', restoreConfig(p, 'apply', target, {}), '--group', group]);
    assert.equal(apply.code, 0, apply.stdout + apply.stderr);
    assert.deepEqual(await committedOffsets(b, group, target), new Map([[0, 6]]));
  });
});
