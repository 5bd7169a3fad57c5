// The process logger: pino, JSON lines when stderr is not a terminal (machines read them), a
// readable one-line format on a terminal. Logs go to stderr; stdout carries command output only.
// Secrets never reach the output (config/redact.ts): configs are logged through redactConfig,
// every logged object has its secret-named keys masked, and every line the process writes (log
// lines, command output, error messages) has the secret values of the configs it read scrubbed.
import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';
import { maskSecretKeys, scrubSecrets } from './config/redact.js';

export interface LogOptions {
  verbose: number;
  format: 'auto' | 'json' | 'pretty';
}

export function createLogger(opts: LogOptions): Logger {
  const level = opts.verbose >= 2 ? 'trace' : opts.verbose === 1 ? 'debug' : 'info';
  const usePretty = opts.format === 'pretty' || (opts.format === 'auto' && process.stderr.isTTY === true);
  const base = {
    level,
    base: undefined,
    formatters: { log: (object: Record<string, unknown>) => maskSecretKeys(object) },
    hooks: { streamWrite: scrubSecrets },
  };
  if (usePretty) {
    return pino(base, pretty({ destination: 2, colorize: true, translateTime: 'HH:MM:ss', ignore: 'pid,hostname', singleLine: true, sync: true }));
  }
  return pino({ ...base, timestamp: pino.stdTimeFunctions.isoTime }, pino.destination({ dest: 2, sync: true }));
}

let scrubbing = false;

/**
 * Route every write to process.stdout and process.stderr through scrubSecrets: command output,
 * error reports and anything a library prints. Logs bypass these streams (pino writes to fd 2
 * itself) and are scrubbed by the logger's streamWrite hook. Idempotent.
 */
export function scrubProcessOutput(): void {
  if (scrubbing) return;
  scrubbing = true;
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream) as (chunk: unknown, ...rest: unknown[]) => boolean;
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      if (typeof chunk === 'string') return write(scrubSecrets(chunk), ...rest);
      if (chunk instanceof Uint8Array) {
        const text = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('utf8');
        const clean = scrubSecrets(text);
        return write(clean === text ? chunk : Buffer.from(clean), ...rest);
      }
      return write(chunk, ...rest);
    }) as typeof stream.write;
  }
}
