import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatByteSize, parseByteSize } from '../../src/config/units.js';
import { base, parse, problems } from './helpers.js';

describe('parseByteSize', () => {
  test('integers and unit suffixes', () => {
    const cases: [number | string, number][] = [
      [1048576, 1048576],
      ['1048576', 1048576],
      ['512KiB', 524288],
      ['128MiB', 134217728],
      ['1GiB', 1073741824],
      ['64MB', 64_000_000],
      ['2 kb', 2000],
      ['1.5KiB', 1536],
      ['10B', 10],
      ['1.1KB', 1100],
      ['0.1KB', 100],
    ];
    for (const [input, bytes] of cases) assert.deepEqual(parseByteSize(input), { bytes }, String(input));
  });

  test('rejects unknown units, fractions of a byte and junk', () => {
    for (const input of ['12 parsecs', '1.5', '0.3B', 'MiB', '-1KiB', '1e3', 1.5]) {
      assert.ok('error' in parseByteSize(input), String(input));
    }
  });

  test('formatByteSize picks the largest exact binary unit', () => {
    assert.equal(formatByteSize(134217728), '128MiB');
    assert.equal(formatByteSize(1536), '1536');
    assert.equal(formatByteSize(4096), '4KiB');
  });
});

describe('byte sizes in the config', () => {
  test('are normalized to integers', () => {
    const config = parse(`${base}backup:\n  segment_max_bytes: 256MiB\n  block_max_bytes: "512KiB"\n`);
    assert.equal(config.backup.segment_max_bytes, 268435456);
    assert.equal(config.backup.block_max_bytes, 524288);
  });

  test('apply in kafka_config byte properties too', () => {
    const config = parse(`${base}source:\n  bootstrap_servers: k:1\n  kafka_config: { "fetch.max.bytes": 64MB }\n`);
    assert.equal(config.source!.kafka_config['fetch.max.bytes'], 64_000_000);
  });

  test('are range-checked after conversion', () => {
    assert.deepEqual(problems(`${base}backup:\n  segment_max_bytes: 32KiB\n  block_max_bytes: 128MiB\n`), [
      'backup.segment_max_bytes: must be at least 65536',
      'backup.block_max_bytes: must be at most 67108864',
    ]);
  });

  test('reject a non-size with the path', () => {
    assert.deepEqual(problems(`${base}backup:\n  segment_max_bytes: [1]\n`), [
      'backup.segment_max_bytes: expected a byte size: an integer or a string such as "128MiB"',
    ]);
  });
});
