// Runs one command and measures it from the outside: wall-clock seconds from spawn to exit, and
// the peak resident set size of the spawned process, sampled from /proc/<pid>/status (VmHWM, the
// kernel's own high-water mark, so only growth in the last sampling interval before exit can be
// missed). No dependency on /usr/bin/time. The measured pid is the command itself: run node or
// java directly, or through a script that `exec`s it (test/infra/kafka.sh tool does), never
// through a shell that forks a child.
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';

export interface Measured {
  exitCode: number | null;
  signal: string | null;
  wallSeconds: number;
  /** Largest VmHWM seen, in KiB; null when /proc gave nothing (not Linux, or exited too fast). */
  peakRssKiB: number | null;
}

export interface MeasureOptions {
  /** stdout and stderr of the command go to these files (truncated first). */
  stdoutFile: string;
  stderrFile: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Sampling interval of /proc/<pid>/status. */
  sampleMs?: number;
}

const VM_HWM = /^VmHWM:\s+(\d+)\s+kB$/m;

/** VmHWM of a live process in KiB, or null (gone, a zombie without an address space, no /proc). */
export function readPeakRssKiB(pid: number): number | null {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'latin1');
  } catch {
    return null;
  }
  const m = VM_HWM.exec(status);
  return m ? Number(m[1]) : null;
}

export function measure(command: string, args: readonly string[], opts: MeasureOptions): Promise<Measured> {
  const out = openSync(opts.stdoutFile, 'w');
  const err = openSync(opts.stderrFile, 'w');
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(command, args, { stdio: ['ignore', out, err], env: opts.env ?? process.env, cwd: opts.cwd });
    let peak: number | null = null;
    const sample = () => {
      if (child.pid === undefined) return;
      const v = readPeakRssKiB(child.pid);
      if (v !== null && (peak === null || v > peak)) peak = v;
    };
    const timer = setInterval(sample, opts.sampleMs ?? 20);
    let settled = false;
    const done = () => {
      if (settled) return false;
      settled = true;
      clearInterval(timer);
      closeSync(out);
      closeSync(err);
      return true;
    };
    child.once('spawn', sample);
    // A command that cannot be started emits 'error' and maybe 'exit': settle once.
    child.once('error', (e) => {
      if (done()) reject(e);
    });
    child.once('exit', (exitCode, signal) => {
      const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
      if (done()) resolve({ exitCode, signal, wallSeconds, peakRssKiB: peak });
    });
  });
}
