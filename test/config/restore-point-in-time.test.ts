// The point-in-time restore keys: time_window_start/end, start_offset/end_offset, partition_offsets.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { base, parse, problems } from './helpers.js';

describe('restore point-in-time keys', () => {
  test('times are epoch milliseconds or ISO-8601 with a zone; offsets are integers', () => {
    const config = parse(
      `${base}restore:\n  time_window_start: "2025-01-01T00:00:10+01:00"\n  time_window_end: 1735693210000\n  start_offset: 3\n` +
        `  partition_offsets:\n    orders:\n      "2": { start_offset: 10, end_offset: 20 }\n`,
    );
    assert.equal(config.restore.time_window_start, Date.UTC(2024, 11, 31, 23, 0, 10));
    assert.equal(config.restore.time_window_end, 1735693210000);
    assert.equal(config.restore.start_offset, 3);
    assert.equal(config.restore.end_offset, undefined);
    assert.deepEqual(config.restore.partition_offsets, { orders: { '2': { start_offset: 10, end_offset: 20 } } });
    assert.equal(parse(base).restore.partition_offsets, undefined);
  });

  test('an end before its start, and unreadable times, are refused with the key named', () => {
    const found = problems(
      `${base}restore:\n  time_window_start: 2000\n  time_window_end: 1999\n  start_offset: 5\n  end_offset: 4\n` +
        `  partition_offsets:\n    orders:\n      "1": { start_offset: 9, end_offset: 8 }\n`,
    );
    assert.equal(found.length, 3, found.join('\n'));
    assert.ok(found.some((p) => p.includes('restore.time_window_end') && p.includes('before time_window_start')), found.join('\n'));
    assert.ok(found.some((p) => /restore\.end_offset/.test(p)), found.join('\n'));
    assert.ok(found.some((p) => /restore\.partition_offsets\.orders\.1\.end_offset|partition_offsets.*orders.*1.*end_offset/.test(p)), found.join('\n'));
    const bad = problems(`${base}restore:\n  time_window_start: "yesterday"\n  time_window_end: "2025-01-01"\n`);
    assert.equal(bad.length, 2, bad.join('\n'));
    assert.ok(bad.every((p) => p.includes('not epoch milliseconds or an ISO-8601 date-time')), bad.join('\n'));
  });
});
