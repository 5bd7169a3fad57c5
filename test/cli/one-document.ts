// The --json contract as a test assertion: stdout is one JSON object on one line, and nothing else.
import assert from 'node:assert/strict';
import type { CliResult } from '../integration/helpers/cli.js';

export function oneDocument(r: CliResult, what: string): Record<string, unknown> {
  const lines = r.stdout.split('\n');
  assert.equal(lines.length, 2, `${what}: stdout should be one line, got:\n${r.stdout}\nstderr:\n${r.stderr}`);
  assert.equal(lines[1], '', `${what}: stdout should end with a newline`);
  const doc = JSON.parse(lines[0]!) as unknown;
  assert.ok(doc !== null && typeof doc === 'object' && !Array.isArray(doc), `${what}: a JSON object`);
  return doc as Record<string, unknown>;
}
