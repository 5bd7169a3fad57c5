import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { renderConfigReference } from '../../src/config/docs.js';

// Compiled to dist/test/config/, so the repository root is three levels up.
const docFile = new URL('../../../docs/configuration.md', import.meta.url);

test('docs/configuration.md is the output of renderConfigReference()', async () => {
  const written = await readFile(docFile, 'utf8');
  assert.ok(
    written === renderConfigReference(),
    'docs/configuration.md is out of date with src/config/schema.ts; regenerate it with:\n' +
      '  npx tsc -p tsconfig.json && node dist/src/config/docs.js > docs/configuration.md',
  );
});

test('the reference documents every key with its default', () => {
  const doc = renderConfigReference();
  assert.match(doc, /^# Configuration reference\n/);
  assert.match(doc, /\| `backup_id` \| string \| \*\*required\*\* \|/);
  assert.match(doc, /\| `backup.segment_max_bytes` \| byte size \(≥ 65536\) \| `134217728` \(128MiB\) \|/);
  assert.match(doc, /\| `source.kafka_config\["request.timeout.ms"\]` \| integer \(≥ 1\) \| `30000` \|/);
  assert.match(doc, /\| `storage.max_concurrency` \| integer \(≥ 0\) \| `16` \|/);
  assert.match(doc, /\| `target` \| mapping \| see keys \| .*Same keys as `source`\. \|/);
  assert.match(doc, /## `storage` with `backend: filesystem`/);
  for (const row of doc.split('\n').filter((line) => line.startsWith('| `'))) {
    const description = row.split(' | ')[3] ?? '';
    assert.ok(description.trim().length > 2, `no description: ${row}`);
  }
});
