import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { test } from 'node:test';
import { isDeadLocalProcess } from '../src/local-process.js';

test('a process that exited on this host is dead; a live one, ourselves, or another host are not known dead', () => {
  const child = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' });
  const exited = Number(child.stdout.trim());
  assert.equal(isDeadLocalProcess(hostname(), exited), true);
  assert.equal(isDeadLocalProcess(hostname(), process.ppid), false);
  assert.equal(isDeadLocalProcess(hostname(), process.pid), false);
  assert.equal(isDeadLocalProcess(`not-${hostname()}`, exited), false);
});
