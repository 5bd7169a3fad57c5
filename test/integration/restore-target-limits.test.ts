// Restores into target topics whose limits differ from the source's (docs/restore-targets.md),
// against the real broker, checked with the independent checker (kcheck) and Kafka's own tools:
// a small max.message.bytes (source batches re-batched; a record too large refused), a timestamp
// limit (refused before writing), retention (a loss the dry run fails on), a compacted target with
// keyless records (fail / skip), and a LogAppendTime target (a warning).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { EXIT } from '../../src/cli/exit-codes.js';
import { runCli, roundTripConfig, writeConfig } from './helpers/cli.js';
import { assertDenseOffsets, assertSameRecords, dumpWithChecker, produceWithChecker, type CheckerLine } from './helpers/checker.js';
import { bootstrap, tempDir, unique } from './helpers/env.js';
import { ACCEPT_ANY_TIMESTAMP, bytes, pseudoRandom } from './helpers/fixtures.js';
import { createTopic, endOffsets } from './helpers/kafka-tools.js';
import { batchSizes } from './helpers/batch-sizes.js';

const LIMIT = 64 * 1024;

interface Report {
  ok: boolean;
  problems: string[];
  warnings: string[];
  partitions: { target: string; records: number; keyless_records: number | null }[];
  topics: { target: string; limits: { max_message_bytes: number | null; timestamp_type: string; compacted: boolean } | null }[];
}

/** A backup of `source` and a way to write restore configs for it. */
async function backedUp(source: string) {
  const b = bootstrap();
  const dir = tempDir('limits');
  const backupId = unique('limits');
  const cfg = (name: string, target: string, restore: Record<string, unknown> = {}) =>
    writeConfig(dir, name, roundTripConfig({ backupId, storagePath: join(dir, 'storage'), bootstrap: b, include: [source], mapping: { [source]: target }, restore }));
  const backup = await runCli(['backup', '-c', cfg('backup.yaml', source)]);
  assert.equal(backup.code, 0, backup.stderr.slice(-4000));
  return cfg;
}

async function validate(config: string): Promise<{ code: number | null; report: Report; stderr: string }> {
  const r = await runCli(['validate-restore', '-c', config, '--json']);
  // The report is the first line; on failure the error object follows it.
  return { code: r.code, report: JSON.parse(r.stdout.split('\n')[0]!) as Report, stderr: r.stderr };
}

describe('restore into targets with limits', () => {
  test('max.message.bytes 64 KiB: 512 KiB source batches are re-batched byte-exact; a record too large is refused by name', async () => {
    const b = bootstrap();
    const source = unique('lim-size');
    await createTopic(b, source, 2);
    const lines = (seed: number): CheckerLine[] =>
      Array.from({ length: 1200 }, (_, n) => ({ partition: n % 2, key: bytes(`k${seed}-${n}`), value: pseudoRandom(seed * 10_000 + n, 1000), headers: [['n', bytes(String(n))]] }));
    await produceWithChecker({ bootstrap: b, topic: source, lingerMs: 200 }, lines(1));
    await produceWithChecker({ bootstrap: b, topic: source, compression: 'lz4', lingerMs: 200 }, lines(2));
    const before = await dumpWithChecker(b, source);
    assert.equal(before.length, 2400);
    const sourceSizes = [...(await batchSizes([{ topic: source, partition: 0 }, { topic: source, partition: 1 }])).values()].flat();
    assert.ok(sourceSizes.filter((s) => s >= 256 * 1024).length >= 4, `source batches ${sourceSizes.join(',')}: several far above 64 KiB`);

    const cfg = await backedUp(source);
    const target = `${source}-small`;
    await createTopic(b, target, 2, { 'max.message.bytes': String(LIMIT) });
    const dry = await validate(cfg('small.yaml', target));
    assert.equal(dry.code, 0, `${JSON.stringify(dry.report.problems)}\n${dry.stderr.slice(-2000)}`);
    assert.deepEqual(dry.report.partitions.map((p) => p.records), [1200, 1200]);
    assert.equal(dry.report.topics[0]!.limits!.max_message_bytes, LIMIT);

    const restore = await runCli(['restore', '-c', cfg('small.yaml', target)]);
    assert.equal(restore.code, 0, restore.stderr.slice(-4000));
    const after = await dumpWithChecker(b, target);
    assertSameRecords(before, after);
    assertDenseOffsets(after);
    const targetSizes = [...(await batchSizes([{ topic: target, partition: 0 }, { topic: target, partition: 1 }])).values()].flat();
    assert.ok(targetSizes.length > 0 && targetSizes.every((s) => s <= LIMIT), `target batches ${targetSizes.join(',')} fit ${LIMIT}`);

    // One record of 100 kB, alone in its batch (offset 3 of partition 0), among small ones.
    const big = unique('lim-big');
    await createTopic(b, big, 1);
    const small = (n: number): CheckerLine => ({ partition: 0, key: bytes(`s${n}`), value: bytes(`small ${n}`), headers: [] });
    await produceWithChecker({ bootstrap: b, topic: big }, [small(0), small(1), small(2), { flush: true }, { partition: 0, key: bytes('big'), value: pseudoRandom(5, 100_000), headers: [] }, { flush: true }, small(4)]);
    const bigCfg = await backedUp(big);
    const bigTarget = `${big}-small`;
    await createTopic(b, bigTarget, 1, { 'max.message.bytes': String(LIMIT) });
    const refused = await validate(bigCfg('big.yaml', bigTarget));
    assert.equal(refused.code, EXIT.problems);
    assert.equal(refused.report.problems.length, 1, refused.report.problems.join('\n'));
    assert.match(refused.report.problems[0]!, new RegExp(`^${bigTarget}/0: the record at source offset 3 needs a 100\\d\\d\\d-byte batch on its own, more than max\\.message\\.bytes ${LIMIT}`));
    const failed = await runCli(['restore', '-c', bigCfg('big.yaml', bigTarget)]);
    assert.equal(failed.code, EXIT.conflict, failed.stderr.slice(-3000));
    assert.match(failed.stderr, /RESTORE_TARGET_LIMIT/);
    assert.match(failed.stderr, new RegExp(`${bigTarget}/0: the record at source offset 3 needs a`));
    const written = await dumpWithChecker(b, bigTarget);
    assert.ok(written.every((r) => r.key?.toString() !== 'big') && written.length <= 3, `target holds ${written.length} records, not the big one`);
  });

  test('message.timestamp.before.max.ms 1 hour: old records refused before anything is written; retention is a loss', async () => {
    const b = bootstrap();
    const source = unique('lim-ts');
    await createTopic(b, source, 1, ACCEPT_ANY_TIMESTAMP);
    const old = Date.UTC(2001, 0, 1);
    const recent = Date.now() - 10 * 60_000;
    await produceWithChecker({ bootstrap: b, topic: source }, [
      ...[0, 1, 2].map((n): CheckerLine => ({ partition: 0, key: bytes(`old${n}`), value: bytes('o'), headers: [], timestamp: old + n })),
      ...[0, 1].map((n): CheckerLine => ({ partition: 0, key: bytes(`new${n}`), value: bytes('n'), headers: [], timestamp: recent + n })),
    ]);
    const cfg = await backedUp(source);
    const target = `${source}-strict`;
    await createTopic(b, target, 1, { 'message.timestamp.before.max.ms': '3600000', 'message.timestamp.after.max.ms': '9223372036854775807', 'retention.ms': '-1' });

    const dry = await validate(cfg('strict.yaml', target));
    assert.equal(dry.code, EXIT.problems);
    assert.equal(dry.report.problems.length, 1, dry.report.problems.join('\n'));
    assert.match(dry.report.problems[0]!, new RegExp(`^target topic ${target} refuses records older than message\\.timestamp\\.before\\.max\\.ms=3600000 .* one from 2001-01-01T00:00:00\\.000Z \\(${old}\\); alter the topic .*time_window_start`));
    const refused = await runCli(['restore', '-c', cfg('strict.yaml', target)]);
    assert.equal(refused.code, EXIT.conflict, refused.stderr.slice(-3000));
    assert.match(refused.stderr, /message\.timestamp\.before\.max\.ms=3600000/);
    assert.deepEqual([...(await endOffsets(b, target)).values()], [0], 'nothing written');

    // A window that leaves out the old records passes.
    const windowed = await validate(cfg('window.yaml', target, { time_window_start: recent - 60_000 }));
    assert.equal(windowed.code, 0, windowed.report.problems.join('\n'));
    assert.deepEqual(windowed.report.partitions.map((p) => p.records), [2]);

    // A created topic with a 1-day retention would delete the old records: the dry run fails, the restore warns.
    const lossy = `${source}-lossy`;
    const lossCfg = cfg('loss.yaml', lossy, { config_overrides: { 'retention.ms': '86400000' } });
    const loss = await validate(lossCfg);
    assert.equal(loss.code, EXIT.problems);
    assert.match(loss.report.problems.join('\n'), new RegExp(`data loss: target topic ${lossy} deletes records older than retention\\.ms=86400000 .*restore\\.config_overrides: \\{"retention\\.ms": "-1"\\}`));
    const lossRestore = await runCli(['restore', '-c', lossCfg]);
    assert.equal(lossRestore.code, 0, lossRestore.stderr.slice(-3000));
    assert.match(lossRestore.stderr, /data loss: target topic .* retention\.ms=86400000/);
  });

  test('compacted target: keyless records counted by the dry run; fail stops the restore, skip restores exactly the keyed ones', async () => {
    const b = bootstrap();
    const source = unique('lim-keyless');
    await createTopic(b, source, 2);
    const lines: CheckerLine[] = [];
    for (let n = 0; n < 60; n++) {
      lines.push({ partition: n % 2, key: n % 7 === 5 ? null : bytes(`key-${n}`), value: bytes(`value ${n}`), headers: [] });
      if (n % 10 === 9) lines.push({ flush: true });
    }
    await produceWithChecker({ bootstrap: b, topic: source }, lines);
    const before = await dumpWithChecker(b, source);
    const keyless = [0, 1].map((p) => before.filter((r) => r.partition === p && r.key === null));
    assert.ok(keyless[0]!.length > 0 && keyless[1]!.length > 0);
    const cfg = await backedUp(source);
    const target = `${source}-compacted`;
    await createTopic(b, target, 2, { 'cleanup.policy': 'compact' });

    const dry = await validate(cfg('fail.yaml', target));
    assert.equal(dry.code, EXIT.problems);
    assert.deepEqual(dry.report.partitions.map((p) => p.keyless_records), keyless.map((k) => k.length));
    assert.equal(dry.report.problems.length, 2, dry.report.problems.join('\n'));
    assert.match(dry.report.problems[0]!, new RegExp(`^${target}/0: ${keyless[0]!.length} records without a key \\(the first at source offset ${keyless[0]![0]!.offset}\\)`));
    const failed = await runCli(['restore', '-c', cfg('fail.yaml', target)]);
    assert.equal(failed.code, EXIT.conflict, failed.stderr.slice(-3000));
    assert.match(failed.stderr, /RESTORE_TARGET_LIMIT/);
    assert.match(failed.stderr, /the record at source offset \d+ has no key/);
    assert.ok((await dumpWithChecker(b, target)).every((r) => r.key !== null), 'no keyless record written');

    const skipCfg = cfg('skip.yaml', target, { keyless_records: 'skip' });
    const skipDry = await validate(skipCfg);
    assert.equal(skipDry.code, 0, skipDry.report.problems.join('\n'));
    assert.equal(skipDry.report.warnings.filter((w) => /without a key would be left out/.test(w)).length, 2);
    const skipped = await runCli(['restore', '-c', skipCfg]);
    assert.equal(skipped.code, 0, skipped.stderr.slice(-3000));
    assert.match(skipped.stdout, new RegExp(`Keyless skipped: +${keyless[0]!.length + keyless[1]!.length} \\(`), 'the summary counts the records left out');
    const after = await dumpWithChecker(b, target);
    assertSameRecords(before.filter((r) => r.key !== null), after);
    assertDenseOffsets(after);

    // (d) The same backup into a LogAppendTime topic: a warning naming the override, no problem.
    const lat = `${source}-lat`;
    await createTopic(b, lat, 2, { 'message.timestamp.type': 'LogAppendTime' });
    const latDry = await validate(cfg('lat.yaml', lat));
    assert.equal(latDry.code, 0, latDry.report.problems.join('\n'));
    assert.equal(latDry.report.topics[0]!.limits!.timestamp_type, 'LogAppendTime');
    assert.ok(
      latDry.report.warnings.some((w) => w.includes(`target topic ${lat} has message.timestamp.type LogAppendTime`) && w.includes('message.timestamp.type=CreateTime')),
      latDry.report.warnings.join('\n'),
    );
  });
});
