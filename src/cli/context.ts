// What every command gets: a logger, the output mode, and a signal aborted by SIGINT/SIGTERM.
import type { Logger } from 'pino';
import { loadConfig } from '../config/load.js';
import type { Config } from '../config/types.js';
import { KafkaBackupError } from '../errors.js';
import { backupIdRule, isValidBackupId } from '../format/layout.js';
import { openStorage } from '../storage/index.js';
import type { StorageBackend } from '../storage/backend.js';

export interface CommandContext {
  log: Logger;
  json: boolean;
  signal: AbortSignal;
  /** Print command output (stdout), never logs. */
  out(text: string): void;
}

/**
 * The storage a command points at: the config's storage section, or --path for a directory.
 * A --backup-id is checked here too, as the user input it is, before it names any storage key.
 */
export async function storageFrom(
  opts: { config?: string; path?: string; backupId?: string },
  log?: Logger,
): Promise<{ storage: StorageBackend; config?: Config }> {
  if (opts.backupId !== undefined && !isValidBackupId(opts.backupId)) {
    throw new KafkaBackupError('USAGE', `--backup-id ${JSON.stringify(opts.backupId)} is not a valid backup id (${backupIdRule})`);
  }
  if (opts.config && opts.path) throw new KafkaBackupError('USAGE', 'give either --config or --path, not both');
  if (opts.config) {
    const config = await loadConfig(opts.config);
    return { storage: openStorage(config.storage, log), config };
  }
  if (opts.path) return { storage: openStorage({ backend: 'filesystem', path: opts.path, max_concurrency: 16 }, log) };
  throw new KafkaBackupError('USAGE', 'say where the backups are: --config FILE or --path DIR');
}
