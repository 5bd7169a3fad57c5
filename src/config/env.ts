// Environment interpolation in config values. It runs on the parsed YAML tree's string scalars
// (never on the file text, so YAML quoting and escaping mean what they say), values only, not keys:
//   ${VAR}            the variable's value (an empty value is used as is)
//   ${VAR:-default}   default when VAR is unset or empty
//   $${               a literal "${"
// An unset variable without a default is a problem naming the variable and the key path.
// An unquoted (plain) scalar whose result is an integer or true/false takes that type, so
// `max_concurrency: ${STORAGE_CONCURRENCY:-16}` is a number; a quoted one stays a string.

import { isMap, isScalar, isSeq, Scalar, type Document, type Node } from 'yaml';
import { formatPath } from './issues.js';

export interface EnvProblem {
  path: PropertyKey[];
  message: string;
}

const reference = /\$\$\{|\$\{([^}]*)\}|\$\{/g;
const body = /^([A-Za-z_][A-Za-z0-9_]*)(?::-(.*))?$/s;

/** Interpolate one string; errors are messages without a path. */
export function interpolate(text: string, env: NodeJS.ProcessEnv): { value: string; errors: string[] } {
  const errors: string[] = [];
  const value = text.replace(reference, (match, inner: string | undefined) => {
    if (match === '$${') return '${';
    if (inner === undefined) {
      errors.push('unterminated "${" (write "$${" for a literal "${")');
      return match;
    }
    const parts = body.exec(inner);
    if (!parts) {
      errors.push(`invalid variable reference "${match}" (expected \${NAME} or \${NAME:-default})`);
      return match;
    }
    const [, name, fallback] = parts as unknown as [string, string, string | undefined];
    const set = env[name];
    if (fallback !== undefined) return set === undefined || set === '' ? fallback : set;
    if (set === undefined) {
      errors.push(`environment variable ${name} is not set (write \${${name}:-default} to give a default)`);
      return match;
    }
    return set;
  });
  return { value, errors };
}

function retype(value: string): string | number | boolean {
  if (/^-?\d+$/.test(value) && Number.isSafeInteger(Number(value))) return Number(value);
  if (value === 'true' || value === 'false') return value === 'true';
  return value;
}

/** Interpolate every string value in the document in place; returns the problems found. */
export function interpolateDocument(doc: Document, env: NodeJS.ProcessEnv): EnvProblem[] {
  const problems: EnvProblem[] = [];
  const visit = (node: unknown, path: PropertyKey[]): void => {
    if (isMap(node)) {
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? pair.key.value : pair.key;
        visit(pair.value, [...path, String(key)]);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => visit(item, [...path, i]));
    } else if (isScalar(node) && typeof node.value === 'string' && node.value.includes('${')) {
      const { value, errors } = interpolate(node.value, env);
      for (const message of errors) problems.push({ path, message });
      if (errors.length === 0) node.value = node.type === Scalar.PLAIN ? retype(value) : value;
    }
  };
  visit(doc.contents as Node | null, []);
  return problems;
}

export function envProblemLine(problem: EnvProblem): string {
  return `${formatPath(problem.path)}: ${problem.message}`;
}
