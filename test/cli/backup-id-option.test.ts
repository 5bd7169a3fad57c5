// A --backup-id is user input: an invalid one is a usage error (exit 2) stating the rule, never an
// internal error, and no storage path is built from it. Runs the built command; needs no services.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

// Compiled to dist/test/cli/, so the repository root is three levels up.
const bin = fileURLToPath(new URL('../../../bin/kafka-backup.js', import.meta.url));

test('status and verify refuse an invalid --backup-id with exit 2 and the rule', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kb-backup-id-'));
  const ids = { status: ['../../etc', '', '.hidden', 'a/b', 'x'.repeat(256)], verify: ['../../etc'] };
  for (const [command, invalid] of Object.entries(ids)) {
    for (const id of invalid) {
      const r = spawnSync(process.execPath, [bin, command, '--path', dir, '--backup-id', id], { encoding: 'utf8' });
      assert.equal(r.status, 2, `${command} -b ${JSON.stringify(id)}: exit ${r.status}\n${r.stderr}`);
      assert.equal(
        r.stderr,
        `kafka-backup: USAGE: --backup-id ${JSON.stringify(id)} is not a valid backup id (a letter or digit, then up to 254 of A-Z a-z 0-9 . _ -)\n`,
      );
    }
    const json = spawnSync(process.execPath, [bin, command, '--path', dir, '--backup-id', '../x', '--json'], { encoding: 'utf8' });
    assert.equal(json.status, 2);
    assert.equal((JSON.parse(json.stdout) as { error: { code: string } }).error.code, 'USAGE');
  }
});
