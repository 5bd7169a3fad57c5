// Reading a config file: read it (UTF-8 text of at most maxConfigBytes) → parse YAML →
// interpolate ${VAR}s → validate with the schema (defaults, units) → normalize (paths) → rules.
// Nothing throws half-way: every problem from every phase that could run is collected, and the
// caller gets a Config or one ConfigError listing them all as "<dot.path>: message". A phase whose
// input is broken (unreadable file, YAML syntax, schema) ends the pipeline. Whatever the file
// holds is user input: no content makes this module fail other than with a ConfigError.

import { open } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parseDocument, type Document } from 'yaml';
import { ConfigError } from '../errors.js';
import { envProblemLine, interpolateDocument, type EnvProblem } from './env.js';
import { errorMap, issueProblems } from './issues.js';
import { normalizeConfig } from './normalize.js';
import { rememberSecrets } from './redact.js';
import { runRules } from './rules.js';
import { configSchema } from './schema.js';
import type { Config } from './types.js';

export type CheckResult = { ok: true; config: Config } | { ok: false; problems: string[] };

/** A config file is small; this bounds the time and memory a wrong file (a log, an image, /dev/zero) can take. */
export const maxConfigBytes = 1024 * 1024;

/**
 * YAML aliases may expand to at most this many nodes per alias (the yaml library's guard against
 * "billion laughs" documents); a config file has no use for more.
 */
const maxAliasCount = 100;

function yamlProblems(text: string): { doc: Document.Parsed; problems: string[] } {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  const [first, ...rest] = doc.errors;
  if (first === undefined) return { doc, problems: [] };
  // Only the first syntax error is reliable: the parser's later complaints mostly cascade from it.
  const message = first.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
  const pos = first.linePos?.[0];
  const more = rest.length > 0 ? ` (${rest.length} more YAML error${rest.length > 1 ? 's' : ''} may follow from this one)` : '';
  return { doc, problems: [`${pos ? `line ${pos.line}, column ${pos.col}: ` : ''}${message}${more}`] };
}

/** The YAML phase: the document as plain data, with ${VAR}s interpolated; or its syntax problems. Throws on documents the yaml library refuses to expand. */
function readYaml(text: string, env: NodeJS.ProcessEnv): { problems: string[] } | { envProblems: EnvProblem[]; written: unknown } {
  const deep = tooDeep(text);
  if (deep !== undefined) return { problems: [`line ${deep}: flow collections ([ ] and { }) are nested more than ${maxFlowDepth} deep`] };
  const { doc, problems } = yamlProblems(text);
  if (problems.length > 0) return { problems };
  const envProblems = interpolateDocument(doc, env);
  return { envProblems, written: doc.toJS({ maxAliasCount }) as unknown };
}

/** The YAML parser's time and memory grow with nesting; a config nests a few levels. */
const maxFlowDepth = 64;

/**
 * The line where `[` and `{` first nest deeper than maxFlowDepth, counted over the raw text (a
 * bracket inside a quoted string counts too, which only matters for text no config holds).
 */
function tooDeep(text: string): number | undefined {
  let depth = 0;
  let line = 1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x0a) line++;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > maxFlowDepth) return line;
    } else if ((c === 0x5d || c === 0x7d) && depth > 0) depth--;
  }
  return undefined;
}

/** The problem line for a document the YAML phase could not handle. */
function yamlFailure(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  if (/alias count|resource exhaustion/i.test(message)) {
    return `(root): YAML aliases expand to too much data (at most ${maxAliasCount} nodes per alias): not a config file, or an alias "bomb"`;
  }
  if (err instanceof RangeError) return '(root): the YAML is nested too deeply';
  return `(root): the YAML cannot be read: ${message}`;
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
  let yaml;
  try {
    yaml = readYaml(text, env);
  } catch (err) {
    return { ok: false, problems: [yamlFailure(err)] };
  }
  if ('problems' in yaml) return { ok: false, problems: yaml.problems };
  const { envProblems, written } = yaml;
  // Before any message can quote one: every printed text is scrubbed of these (redact.ts).
  rememberSecrets(written);
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
  if (code === 'ENOTDIR') return 'not found (a part of the path is a file, not a directory)';
  return `cannot read: ${(err as Error).message}`;
}

/** A file's bytes, refusing one longer than maxConfigBytes without reading past the limit. */
async function readBounded(file: string): Promise<Buffer> {
  const handle = await open(file, 'r');
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.alloc(64 * 1024);
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
      if (bytesRead === 0) return Buffer.concat(chunks, total);
      total += bytesRead;
      if (total > maxConfigBytes) throw new TooLarge();
      chunks.push(chunk.subarray(0, bytesRead));
    }
  } finally {
    await handle.close();
  }
}

class TooLarge extends Error {}

/** The text of a config file's bytes, or the problem with them: a config is UTF-8 text. */
export function decodeConfig(bytes: Uint8Array): { text: string } | { problem: string } {
  const utf16 = (bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff);
  if (utf16) return { problem: 'is UTF-16 text: save it as UTF-8' };
  try {
    return { text: new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes) };
  } catch {
    const lenient = new TextDecoder('utf-8').decode(bytes);
    const line = lenient.slice(0, lenient.indexOf('\uFFFD')).split('\n').length;
    return { problem: `is not UTF-8 text (line ${line} holds a byte sequence that is not UTF-8): save it as UTF-8` };
  }
}

/** Read, validate and normalize a config file. Throws ConfigError naming the file and every problem. */
export async function loadConfig(file: string, opts: { env?: NodeJS.ProcessEnv } = {}): Promise<Config> {
  if (file === '') throw new ConfigError('""', ['the config file name is empty']);
  let bytes: Buffer;
  try {
    bytes = await readBounded(file);
  } catch (err) {
    const problem = err instanceof TooLarge ? `larger than ${maxConfigBytes / 1024} KiB: not a config file` : readProblem(err);
    const error = new ConfigError(file, [`${file}: ${problem}`]);
    if (!(err instanceof TooLarge)) error.cause = err;
    throw error;
  }
  const decoded = decodeConfig(bytes);
  if ('problem' in decoded) throw new ConfigError(file, [`${file}: ${decoded.problem}`]);
  return parseConfig(decoded.text, file, opts.env);
}
