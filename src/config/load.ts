// Reading a config file: parse YAML → interpolate ${VAR}s → validate with the schema (defaults,
// units) → normalize (paths) → rules. Nothing throws half-way: every problem from every phase that
// could run is collected, and the caller gets a Config or one ConfigError listing them all as
// "<dot.path>: message". A phase whose input is broken (YAML syntax, schema) ends the pipeline.

import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { ConfigError } from '../errors.js';
import { envProblemLine, interpolateDocument } from './env.js';
import { errorMap, issueProblems } from './issues.js';
import { normalizeConfig } from './normalize.js';
import { runRules } from './rules.js';
import { configSchema } from './schema.js';
import type { Config } from './types.js';

export type CheckResult = { ok: true; config: Config } | { ok: false; problems: string[] };

function yamlProblems(text: string): { doc: ReturnType<typeof parseDocument>; problems: string[] } {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  const [first, ...rest] = doc.errors;
  if (first === undefined) return { doc, problems: [] };
  // Only the first syntax error is reliable: the parser's later complaints mostly cascade from it.
  const message = first.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
  const pos = first.linePos?.[0];
  const more = rest.length > 0 ? ` (${rest.length} more YAML error${rest.length > 1 ? 's' : ''} may follow from this one)` : '';
  return { doc, problems: [`${pos ? `line ${pos.line}, column ${pos.col}: ` : ''}${message}${more}`] };
}

/** Whether `path` is `prefix` or lies beneath it. */
function within(path: readonly PropertyKey[], prefix: readonly PropertyKey[]): boolean {
  return prefix.length <= path.length && prefix.every((key, i) => String(key) === String(path[i]));
}

/**
 * Every phase on a config text. `source` names it in messages; relative paths in it resolve
 * against `baseDir` (default: the directory of `source`).
 */
export function checkConfig(
  text: string,
  source: string,
  env: NodeJS.ProcessEnv = process.env,
  baseDir: string = dirname(resolve(source)),
): CheckResult {
  const { doc, problems: syntax } = yamlProblems(text);
  if (syntax.length > 0) return { ok: false, problems: syntax };

  const envProblems = interpolateDocument(doc, env);
  const written: unknown = doc.toJS();
  if (written === null || written === undefined) {
    return { ok: false, problems: ['(root): the config file is empty'] };
  }
  if (typeof written !== 'object' || Array.isArray(written)) {
    return { ok: false, problems: [`(root): expected a mapping of config keys, got ${Array.isArray(written) ? 'a list' : 'a scalar'}`] };
  }

  const problems = envProblems.map(envProblemLine);
  const parsed = configSchema.safeParse(written, { error: errorMap });
  if (!parsed.success) {
    // A value whose interpolation failed still holds "${VAR}"; its schema complaints are noise.
    const relevant = parsed.error.issues.filter((issue) => !envProblems.some((p) => within(issue.path, p.path)));
    problems.push(...relevant.flatMap((issue) => issueProblems(issue, configSchema, written)));
    return { ok: false, problems };
  }
  const config = normalizeConfig(parsed.data, baseDir);
  problems.push(...runRules(config, written));
  return problems.length > 0 ? { ok: false, problems } : { ok: true, config };
}

/** checkConfig, throwing a ConfigError that lists every problem. */
export function parseConfig(text: string, source: string, env?: NodeJS.ProcessEnv): Config {
  const result = checkConfig(text, source, env);
  if (!result.ok) throw new ConfigError(source, result.problems);
  return result.config;
}

function readProblem(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'file not found';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'is a directory, not a file';
  return `cannot read: ${(err as Error).message}`;
}

/** Read, validate and normalize a config file. Throws ConfigError naming the file and every problem. */
export async function loadConfig(file: string, opts: { env?: NodeJS.ProcessEnv } = {}): Promise<Config> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const error = new ConfigError(file, [`${file}: ${readProblem(err)}`]);
    error.cause = err;
    throw error;
  }
  return parseConfig(text, file, opts.env);
}
