import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkMode, requireSection } from '../../src/config/sections.js';
import { ConfigError } from '../../src/errors.js';
import { base, parse } from './helpers.js';

test('requireSection returns the section or names what the command needs', () => {
  const config = parse(`${base}source:\n  bootstrap_servers: k:1\n`);
  assert.deepEqual(requireSection(config, 'source', 'backup').bootstrap_servers, ['k:1']);
  assert.throws(
    () => requireSection(config, 'target', 'restore', 'r.yaml'),
    (err: unknown) =>
      err instanceof ConfigError &&
      err.code === 'CONFIG_INVALID' &&
      err.details.file === 'r.yaml' &&
      err.problems.join() === 'target: required for the restore command',
  );
});

test('checkMode refuses a file written for the other command', () => {
  const config = parse(`mode: backup\n${base}source:\n  bootstrap_servers: k:1\n`);
  checkMode(config, 'backup');
  checkMode(parse(base), 'restore');
  assert.throws(() => checkMode(config, 'restore'), {
    name: 'ConfigError',
    problems: ['mode: the file is for backup, not for the restore command'],
  });
});
