// Runs the real kafka-backup command (bin/kafka-backup.js over the built dist/) as a child
// process, the way a user does, and captures its exit code and output.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './env.js';

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function startCli(args: string[], env: NodeJS.ProcessEnv = {}): { child: ChildProcess; done: Promise<CliResult> } {
  const child = spawn(process.execPath, [join(repoRoot, 'bin/kafka-backup.js'), ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const done = new Promise<CliResult>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, done };
}

export function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return startCli(args, env).done;
}

/** Write a YAML config into dir and return its path. */
export function writeConfig(dir: string, name: string, yaml: string): string {
  const file = join(dir, name);
  writeFileSync(file, yaml);
  return file;
}

/** A config for one backup id with source and target on the test broker. */
export function roundTripConfig(opts: {
  backupId: string;
  storagePath: string;
  bootstrap: string;
  include: string[];
  mapping?: Record<string, string>;
  backup?: Record<string, unknown>;
  restore?: Record<string, unknown>;
}): string {
  return JSON.stringify({
    backup_id: opts.backupId,
    source: { bootstrap_servers: [opts.bootstrap], topics: { include: opts.include } },
    target: { bootstrap_servers: [opts.bootstrap] },
    storage: { backend: 'filesystem', path: opts.storagePath },
    backup: opts.backup ?? {},
    restore: { topic_mapping: opts.mapping ?? {}, ...(opts.restore ?? {}) },
  });
}

/** The command exited with `code`, and its output (stderr + stdout) contains every phrase. */
export function expectExit(r: CliResult, code: number, phrases: string[], what: string): void {
  const text = r.stderr + r.stdout;
  assert.equal(r.code, code, `${what}: exit code ${r.code}, expected ${code}:\n${text}`);
  for (const p of phrases) assert.ok(text.includes(p), `${what}: message should contain ${JSON.stringify(p)}:\n${text}`);
}
