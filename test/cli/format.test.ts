import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { bytes, count, duration, table, time } from '../../src/cli/format.js';

describe('bytes', () => {
  test('binary units, one decimal below 100, none above', () => {
    const cases: [number, string][] = [
      [0, '0 B'],
      [1023, '1023 B'],
      [1024, '1.0 KiB'],
      [1536, '1.5 KiB'],
      [99.9 * 1024, '99.9 KiB'],
      [100 * 1024, '100 KiB'],
      [1023 * 1024, '1023 KiB'],
      [5 * 2 ** 30, '5.0 GiB'],
      [3 * 2 ** 40, '3.0 TiB'],
      [2 ** 50, '1024 TiB'], // the largest unit is not exceeded
    ];
    for (const [n, text] of cases) assert.equal(bytes(n), text, `bytes(${n})`);
  });

  test('a value that rounds up to the next step is shown in it ("100 KiB", "1.0 MiB", never "1024 KiB")', () => {
    assert.equal(bytes(102_350), '100 KiB'); // 99.95 KiB
    assert.equal(bytes(2 ** 20 - 1), '1.0 MiB');
    assert.equal(bytes(2 ** 30 - 100), '1.0 GiB');
  });
});

describe('count', () => {
  test('thousands separators', () => {
    assert.equal(count(0), '0');
    assert.equal(count(999), '999');
    assert.equal(count(1_234_567), '1,234,567');
  });
});

describe('duration', () => {
  test('ms, then seconds with one decimal, then minutes and seconds, then hours and minutes', () => {
    const cases: [number, string][] = [
      [0, '0 ms'],
      [999, '999 ms'],
      [1000, '1.0 s'],
      [1250, '1.3 s'],
      [59_900, '59.9 s'],
      [60_000, '1m 0s'],
      [61_400, '1m 1s'],
      [3_540_000, '59m 0s'],
      [3_600_000, '1h 0m'],
      [7_530_000, '2h 5m'],
    ];
    for (const [ms, text] of cases) assert.equal(duration(ms), text, `duration(${ms})`);
  });

  test('rounding never shows 60 seconds or 60 minutes', () => {
    assert.equal(duration(59_960), '1m 0s');
    assert.equal(duration(119_600), '2m 0s');
    assert.equal(duration(3_599_700), '1h 0m');
    for (let ms = 1000; ms < 5 * 3_600_000; ms += 97_531) assert.doesNotMatch(duration(ms), /\b60[sm]|60\.0 s/, `duration(${ms})`);
  });
});

describe('time', () => {
  test('ISO time, "-" for no time', () => {
    assert.equal(time(-1), '-');
    assert.equal(time(0), '1970-01-01T00:00:00.000Z');
    assert.equal(time(1_767_225_600_000), '2026-01-01T00:00:00.000Z');
  });
});

describe('table', () => {
  test('columns padded to their widest cell, two spaces apart, the last column not padded', () => {
    assert.equal(
      table([
        ['TOPIC', 'PART', 'STATE'],
        ['orders', '0', 'complete'],
        ['x', '12', '-'],
      ]),
      ['TOPIC   PART  STATE', 'orders  0     complete', 'x       12    -'].join('\n'),
    );
  });

  test('no rows: an empty string', () => {
    assert.equal(table([]), '');
  });
});
