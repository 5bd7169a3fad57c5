// Where the integration tests find their services. test/run.sh starts a real broker and exports
// KB_TEST_BOOTSTRAP; without it an integration test fails (it never skips).
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../..');

export function bootstrap(): string {
  const b = process.env.KB_TEST_BOOTSTRAP;
  if (!b) throw new Error('KB_TEST_BOOTSTRAP is not set: run integration tests with `npm test` (test/run.sh starts the broker)');
  return b;
}

/** A topic or backup name no other test uses. */
export function unique(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(process.env.KB_TEST_RUN_DIR ?? tmpdir(), `${prefix}-`));
}
