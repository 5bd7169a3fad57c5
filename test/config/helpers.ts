// Shared by the config tests: run the whole pipeline on inline YAML.

import assert from 'node:assert/strict';
import { ConfigError } from '../../src/errors.js';
import { parseConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/types.js';

/** Where the inline configs pretend to live: relative paths resolve against /srv/kb. */
export const source = '/srv/kb/config.yaml';

/** Enough to be valid; tests append or replace sections. */
export const base = `backup_id: test-backup
storage:
  backend: filesystem
  path: ./data
`;

export function parse(text: string, env: NodeJS.ProcessEnv = {}): Config {
  return parseConfig(text, source, env);
}

/** The problems parseConfig reports for `text`; fails the test when it parses. */
export function problems(text: string, env: NodeJS.ProcessEnv = {}): string[] {
  try {
    parseConfig(text, source, env);
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected ConfigError, got ${String(err)}`);
    assert.equal(err.code, 'CONFIG_INVALID');
    return err.problems;
  }
  assert.fail('expected the config to be rejected');
}
