// docs/design.md's file map stays true: one row per source file under src/, each saying what the
// file holds, and no row for a file that is gone. A new, moved or deleted file fails this test
// until the map says where it is and what it is for.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

const root = fileURLToPath(new URL('../../', import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') ? [relative(root, path).split('\\').join('/')] : [];
  });
}

/** The rows of the "## File map" section: `| \`path\` | what it holds |`. */
function mapRows(): { path: string; what: string }[] {
  const design = readFileSync(join(root, 'docs/design.md'), 'utf8');
  const start = design.indexOf('\n## File map');
  assert.ok(start >= 0, 'docs/design.md has a "## File map" section');
  const end = design.indexOf('\n## ', start + 1);
  const section = design.slice(start, end < 0 ? undefined : end);
  const rows: { path: string; what: string }[] = [];
  for (const line of section.split('\n')) {
    const m = /^\|\s*`([^`]+)`\s*\|\s*(.*?)\s*\|\s*$/.exec(line);
    if (m) rows.push({ path: m[1]!, what: m[2]! });
  }
  return rows;
}

test('docs/design.md maps every source file under src/ once, with what it holds', () => {
  const files = sourceFiles(join(root, 'src')).sort();
  const rows = mapRows();
  const mapped = rows.filter((r) => r.path.endsWith('.ts')).map((r) => r.path);
  const missing = files.filter((f) => !mapped.includes(f));
  assert.deepEqual(missing, [], `source files missing from the file map in docs/design.md: ${missing.join(', ')}`);
  const twice = mapped.filter((p, i) => mapped.indexOf(p) !== i);
  assert.deepEqual(twice, [], `files listed more than once: ${twice.join(', ')}`);
  const empty = rows.filter((r) => r.what === '' || r.what === '-');
  assert.deepEqual(empty, [], 'every row says what the file holds');
});

test('every path in the file map exists', () => {
  const gone = mapRows()
    .map((r) => r.path)
    .filter((p) => {
      try {
        statSync(join(root, p));
        return false;
      } catch {
        return true;
      }
    });
  assert.deepEqual(gone, [], `the file map lists paths that do not exist: ${gone.join(', ')}`);
});
