import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compileGroupSelector, groupPatternError, literalGroups } from '../../src/config/groups.js';
import { parseConfig } from '../../src/config/load.js';
import { isKafkaBackupError } from '../../src/errors.js';

describe('consumer-group selection', () => {
  test('exact ids, globs and ~regex; an empty list selects nothing', () => {
    const select = compileGroupSelector(['billing', 'etl.*', 'team-?-reader', '~^audit[0-9]+$']);
    for (const id of ['billing', 'etl.daily', 'etl.', 'team-a-reader', 'audit7']) assert.ok(select(id), id);
    for (const id of ['billing2', 'xetl.daily', 'etl+', 'team-ab-reader', 'audit', 'myaudit7x']) assert.ok(!select(id), id);
    assert.ok(!compileGroupSelector([])('billing'));
    assert.ok(compileGroupSelector(['*'])('any group: even with spaces/and+symbols'));
  });

  test('glob characters that are regex syntax are literal', () => {
    const select = compileGroupSelector(['a.b+(c)*']);
    assert.ok(select('a.b+(c)-1'));
    assert.ok(!select('axb+(c)-1'));
    assert.ok(!select('a.bb(c)'));
  });

  test('literal entries and invalid ones', () => {
    assert.deepEqual(literalGroups(['x', 'y*', '~z']), ['x']);
    assert.equal(groupPatternError('~('), 'invalid regular expression: /(/: Unterminated group');
    assert.equal(groupPatternError(''), 'empty group entry');
    assert.equal(groupPatternError('ok'), undefined);
  });

  test('the config keys are checked, and default to none', () => {
    const base = { backup_id: 'b', storage: { backend: 'filesystem', path: '/tmp/x' } };
    const c = parseConfig(JSON.stringify(base), 'c.yaml');
    assert.deepEqual(c.backup.consumer_groups, []);
    assert.deepEqual(c.restore.consumer_groups, []);
    assert.throws(
      () => parseConfig(JSON.stringify({ ...base, backup: { consumer_groups: ['~['] }, restore: { consumer_group_mapping: { a: '' } } }), 'c.yaml'),
      (err: unknown) =>
        isKafkaBackupError(err, 'CONFIG_INVALID') &&
        /backup\.consumer_groups\[0\]: invalid regular expression/.test(err.message) &&
        /restore\.consumer_group_mapping\.a/.test(err.message),
    );
  });
});
