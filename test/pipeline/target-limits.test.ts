// The target limits a restore derives from topic and broker configs, and what it concludes from the
// timestamps it would write (problems, losses, warnings), without a broker.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { configSource, type ConfigEntry } from '../../src/kafka/transport.js';
import { judgeTimestamps } from '../../src/pipeline/target-checks.js';
import { limitsFromConfigs, targetLimits, topicDefaultsFromBroker } from '../../src/pipeline/target-limits.js';
import { boundTimeRange } from '../../src/pipeline/restore-time-range.js';
import type { SegmentEntry } from '../../src/format/manifest.js';

const entry = (name: string, value: string | null): ConfigEntry => ({ name, value, source: configSource.staticBroker, readOnly: false, sensitive: false });
const LONG_MAX = '9223372036854775807';
const HOUR = 3_600_000;

describe('target limits from configs', () => {
  test('broker configs become topic defaults; retention from ms, else minutes, else hours', () => {
    const broker = [
      entry('message.max.bytes', '1048588'),
      entry('log.message.timestamp.type', 'CreateTime'),
      entry('log.message.timestamp.before.max.ms', LONG_MAX),
      entry('log.message.timestamp.after.max.ms', '3600000'),
      entry('log.cleanup.policy', 'delete'),
      entry('log.retention.ms', null),
      entry('log.retention.minutes', null),
      entry('log.retention.hours', '168'),
      entry('num.io.threads', '8'),
    ];
    assert.deepEqual(topicDefaultsFromBroker(broker), {
      'max.message.bytes': '1048588',
      'message.timestamp.type': 'CreateTime',
      'message.timestamp.before.max.ms': LONG_MAX,
      'message.timestamp.after.max.ms': '3600000',
      'cleanup.policy': 'delete',
      'retention.ms': String(168 * HOUR),
    });
    assert.equal(topicDefaultsFromBroker([entry('log.retention.ms', '5'), entry('log.retention.hours', '168')])['retention.ms'], '5');
    assert.equal(topicDefaultsFromBroker([entry('log.retention.minutes', '2')])['retention.ms'], '120000');
  });

  test('Long.MAX_VALUE and -1 mean no limit; a deprecated difference limit fills in for before/after left unlimited', () => {
    const l = limitsFromConfigs('t', 'existing', {
      'max.message.bytes': '65536',
      'message.timestamp.before.max.ms': LONG_MAX,
      'message.timestamp.after.max.ms': '60000',
      'message.timestamp.difference.max.ms': '86400000',
      'cleanup.policy': 'compact,delete',
      'retention.ms': '-1',
    });
    assert.deepEqual(l, { topic: 't', origin: 'existing', maxMessageBytes: 65536, logAppendTime: false, beforeMaxMs: 86_400_000, afterMaxMs: 60_000, compacted: true, retentionMs: undefined });
    const c = limitsFromConfigs('c', 'created', { 'cleanup.policy': 'compact', 'retention.ms': '1000', 'message.timestamp.type': 'LogAppendTime' });
    assert.equal(c.retentionMs, undefined, 'retention applies only with the delete policy');
    assert.equal(c.compacted, true);
    assert.equal(c.logAppendTime, true);
    assert.equal(c.beforeMaxMs, undefined);
    assert.equal(c.maxMessageBytes, undefined);
  });

  test('existing topics are described, created ones get their configs over the broker defaults', async () => {
    const admin = {
      brokerCount: () => Promise.resolve(1),
      validateNewTopics: () => Promise.resolve(new Map()),
      describeTopics: (names: string[]) =>
        Promise.resolve(names.map((name) => ({ name, partitions: 1, replicationFactor: 1, configs: [entry('max.message.bytes', '70000'), entry('cleanup.policy', 'compact')] }))),
      brokerConfigs: () => Promise.resolve([entry('message.max.bytes', '1048588'), entry('log.retention.hours', '168'), entry('log.cleanup.policy', 'delete')]),
    };
    const { limits, notes } = await targetLimits(admin, ['old'], [{ name: 'new', partitions: 1, configs: { 'max.message.bytes': '2000000' } }]);
    assert.deepEqual(notes, []);
    assert.equal(limits.get('old')!.maxMessageBytes, 70_000);
    assert.equal(limits.get('old')!.compacted, true);
    assert.equal(limits.get('new')!.maxMessageBytes, 2_000_000);
    assert.equal(limits.get('new')!.retentionMs, 168 * HOUR);
    assert.equal(limits.get('new')!.origin, 'created');
  });
});

describe('timestamps against the limits', () => {
  const now = Date.UTC(2026, 0, 10);
  const base = limitsFromConfigs('orders', 'existing', { 'message.timestamp.before.max.ms': String(HOUR), 'message.timestamp.after.max.ms': String(HOUR), 'cleanup.policy': 'delete', 'retention.ms': String(24 * HOUR) });

  test('records older than before.max.ms or newer than after.max.ms are problems naming limit, timestamp and fix', () => {
    const r = judgeTimestamps(base, { min: now - 2 * HOUR, max: now + 2 * HOUR }, now);
    assert.equal(r.problems.length, 2);
    assert.match(r.problems[0]!, /^target topic orders refuses records older than message\.timestamp\.before\.max\.ms=3600000 .*2026-01-09T22:00:00\.000Z .*kafka-configs --alter .*--add-config message\.timestamp\.before\.max\.ms=9223372036854775807.*time_window_start/);
    assert.match(r.problems[1]!, /newer than message\.timestamp\.after\.max\.ms=3600000 .*2026-01-10T02:00:00\.000Z/);
    assert.deepEqual(r.losses, []);
    assert.deepEqual(judgeTimestamps(base, { min: now - HOUR + 1, max: now + HOUR }, now).problems, [], 'inside the limits');
  });

  test('records older than retention.ms are a loss; a created topic is fixed with config_overrides', () => {
    const created = { ...base, origin: 'created' as const, beforeMaxMs: undefined };
    const r = judgeTimestamps(created, { min: now - 48 * HOUR, max: now }, now);
    assert.deepEqual(r.problems, []);
    assert.equal(r.losses.length, 1);
    assert.equal(r.losses[0]!.topic, 'orders');
    assert.match(r.losses[0]!.message, /deletes records older than retention\.ms=86400000 .*restore\.config_overrides: \{"retention\.ms": "-1"\}/);
  });

  test('a LogAppendTime target: a warning naming the override, and no timestamp checks', () => {
    const lat = { ...base, origin: 'created' as const, logAppendTime: true };
    const r = judgeTimestamps(lat, { min: 0, max: now + 100 * HOUR }, now);
    assert.deepEqual([r.problems, r.losses], [[], []]);
    assert.equal(r.warnings.length, 1);
    assert.match(r.warnings[0]!.message, /LogAppendTime.*config_overrides: \{message\.timestamp\.type: CreateTime\}/);
  });

  test('the manifest bound: segments outside the filter are left out, the window cuts the range', () => {
    const seg = (base_offset: number, last_offset: number, min: number, max: number) => ({ base_offset, last_offset, record_count: last_offset - base_offset + 1, min_timestamp: min, max_timestamp: max }) as SegmentEntry;
    const segments = [seg(0, 9, 100, 200), seg(10, 19, 50, 400), seg(20, 29, -1, -1)];
    assert.deepEqual(boundTimeRange(segments, undefined), { min: 50, max: 400 });
    assert.deepEqual(boundTimeRange(segments, { startOffset: 0, endOffset: 9 }), { min: 100, max: 200 });
    assert.deepEqual(boundTimeRange(segments, { startTime: 150, endTime: 300 }), { min: 150, max: 300 });
    assert.equal(boundTimeRange(segments, { startTime: 500 }), undefined);
    assert.deepEqual(boundTimeRange([seg(0, 9, -1, 300)], undefined), { min: -Infinity, max: 300 }, 'an unknown minimum');
  });
});
