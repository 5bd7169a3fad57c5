// The process logger: pino, JSON lines when stderr is not a terminal (machines read them), a
// readable one-line format on a terminal. Logs go to stderr; stdout carries command output only.
// Secrets never reach a log line: configs are logged through redactConfig, and the paths below are
// censored as a second line of defence.
import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';

export interface LogOptions {
  verbose: number;
  format: 'auto' | 'json' | 'pretty';
}

const REDACT = ['*.sasl_password', '*.ssl_key_password', '*.password', 'password', 'sasl.password', '*.*.sasl_password'];

export function createLogger(opts: LogOptions): Logger {
  const level = opts.verbose >= 2 ? 'trace' : opts.verbose === 1 ? 'debug' : 'info';
  const usePretty = opts.format === 'pretty' || (opts.format === 'auto' && process.stderr.isTTY === true);
  const base = { level, redact: { paths: REDACT, censor: '***' }, base: undefined };
  if (usePretty) {
    return pino(base, pretty({ destination: 2, colorize: true, translateTime: 'HH:MM:ss', ignore: 'pid,hostname', singleLine: true, sync: true }));
  }
  return pino({ ...base, timestamp: pino.stdTimeFunctions.isoTime }, pino.destination({ dest: 2, sync: true }));
}
