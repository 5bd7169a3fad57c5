// kafkajs is reached only through src/kafka/kafkajs/, the implementation of the Kafka transport
// seam (src/kafka/transport.ts): a move to another client replaces that folder and nothing else.
// Any module specifier naming kafkajs elsewhere in src/ fails here: a static or type import, an
// export-from, a dynamic import(), require(), require.resolve() or a createRequire()'d require.
// The scan looks at every string literal outside comments, so the form of the call does not matter.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const ALLOWED = `src${sep}kafka${sep}kafkajs${sep}`;

/** The string literals of TypeScript source, comments skipped (template literals as their raw text). */
function stringLiterals(text: string): string[] {
  const out: string[] = [];
  let i = 0;
  // Whether a `/` here starts a regular expression (after an operator or keyword) or divides.
  let regexAllowed = true;
  while (i < text.length) {
    const c = text[i]!;
    const next = text[i + 1];
    if (c === '/' && next === '/') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '/' && next === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 2;
    } else if (c === "'" || c === '"' || c === '`') {
      let j = i + 1;
      let value = '';
      while (j < text.length && text[j] !== c) {
        if (text[j] === '\\') {
          value += text[j + 1] ?? '';
          j += 2;
        } else {
          value += text[j];
          j++;
        }
      }
      out.push(value);
      i = j + 1;
      regexAllowed = false;
    } else if (c === '/' && regexAllowed) {
      let j = i + 1;
      let inClass = false;
      while (j < text.length && text[j] !== '\n' && (inClass || text[j] !== '/')) {
        if (text[j] === '\\') j++;
        else if (text[j] === '[') inClass = true;
        else if (text[j] === ']') inClass = false;
        j++;
      }
      i = j + 1;
      regexAllowed = false;
    } else {
      if (/[A-Za-z0-9_$)\]]/.test(c)) {
        const word = /^[A-Za-z0-9_$]+/.exec(text.slice(i))?.[0];
        if (word) {
          regexAllowed = ['return', 'typeof', 'case', 'in', 'of', 'new', 'delete', 'void', 'throw', 'instanceof'].includes(word);
          i += word.length;
          continue;
        }
        regexAllowed = false;
      } else if (!/\s/.test(c)) {
        regexAllowed = true;
      }
      i++;
    }
  }
  return out;
}

/** The module specifiers naming kafkajs that a file's text holds. */
function kafkajsSpecifiers(text: string): string[] {
  return stringLiterals(text).filter((s) => /^kafkajs(\/|$)/.test(s));
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : /\.(ts|mts|cts|js|mjs|cjs)$/.test(e.name) ? [join(dir, e.name)] : [],
  );
}

describe('kafkajs is imported only from src/kafka/kafkajs/', () => {
  test('no file under src/ outside src/kafka/kafkajs/ names kafkajs as a module', () => {
    const files = sourceFiles(join(repoRoot, 'src')).map((f) => relative(repoRoot, f));
    assert.ok(files.length > 50, `${files.length} source files found under ${repoRoot}src`);
    const offending = files
      .filter((f) => !f.startsWith(ALLOWED))
      .flatMap((f) => kafkajsSpecifiers(readFileSync(join(repoRoot, f), 'utf8')).map((s) => `${f}: '${s}'`));
    assert.deepEqual(offending, [], 'import kafkajs only in src/kafka/kafkajs/ (behind src/kafka/transport.ts)');
    // The scan does see the imports where they belong.
    const inside = files.filter((f) => f.startsWith(ALLOWED) && kafkajsSpecifiers(readFileSync(join(repoRoot, f), 'utf8')).length > 0);
    assert.ok(inside.length >= 2, `kafkajs imports found in src/kafka/kafkajs/: ${inside.join(', ')}`);
  });

  test('the scan catches every form of import and ignores comments and other strings', () => {
    const forms = [
      "import { Kafka } from 'kafkajs';",
      'import type { Admin } from "kafkajs";',
      "export { logLevel } from 'kafkajs';",
      "const m = await import('kafkajs');",
      'const m = await import(`kafkajs`);',
      "const k = require('kafkajs');",
      "const p = require.resolve('kafkajs/package.json');",
      "const req = createRequire(import.meta.url);\nconst enc = req('kafkajs/src/protocol/encoder');",
      "const x = 1 / 2; const y = /['\"]/.test(s) ? require('kafkajs/src/admin') : 0;",
    ];
    for (const form of forms) assert.equal(kafkajsSpecifiers(form).length, 1, form);
    const harmless = [
      "// import { Kafka } from 'kafkajs';",
      "/* require('kafkajs') */ const a = 'kafkajs-like';",
      "const note = \"kafkajs's internals\"; const r = /'kafkajs'/;",
      "const re = /kafkajs/; const s = 'not kafkajs';",
    ];
    for (const text of harmless) assert.deepEqual(kafkajsSpecifiers(text), [], text);
  });
});
