// What every command gets: a logger, the output mode, and a signal aborted by SIGINT/SIGTERM.
import type { Logger } from 'pino';
import { loadConfig } from '../config/load.js';
import type { Config } from '../config/types.js';
import { KafkaBackupError } from '../errors.js';
import { openStorage } from '../storage/index.js';
import type { StorageBackend } from '../storage/backend.js';

export interface CommandContext {
  log: Logger;
  json: boolean;
  signal: AbortSignal;
  /** Print command output (stdout), never logs. */
  out(text: string): void;
}

/** The storage a command points at: the config's storage section, or --path for a directory. */
export async function storageFrom(
  opts: { config?: string; path?: string },
  log?: Logger,
): Promise<{ storage: StorageBackend; config?: Config }> {
  if (opts.config && opts.path) throw new KafkaBackupError('USAGE', 'give either --config or --path, not both');
  if (opts.config) {
    const config = await loadConfig(opts.config);
    return { storage: openStorage(config.storage, log), config };
  }
  if (opts.path) return { storage: openStorage({ backend: 'filesystem', path: opts.path, permissions: 'private', max_concurrency: 16 }, log) };
  throw new KafkaBackupError('USAGE', 'say where the backups are: --config FILE or --path DIR');
}
