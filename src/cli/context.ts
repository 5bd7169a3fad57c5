// What every command gets: a logger, the output mode, a signal aborted by SIGINT/SIGTERM, and the
// one way to give its result.
import type { Logger } from 'pino';
import { loadConfig } from '../config/load.js';
import type { Config } from '../config/types.js';
import { KafkaBackupError } from '../errors.js';
import { backupIdRule, isValidBackupId } from '../format/layout.js';
import { requireLocation } from '../inspect/location.js';
import { openStorage } from '../storage/index.js';
import type { StorageBackend } from '../storage/backend.js';

export interface CommandContext {
  log: Logger;
  json: boolean;
  signal: AbortSignal;
  /**
   * The command's result: `doc` with --json, else `text` (when given) on stdout. With --json,
   * src/cli/main.ts prints exactly one JSON document on stdout once the command has ended: this
   * document, with the error inside it ({...doc, error}) when the command then fails, or
   * {error} alone when it fails before giving one. A later call replaces the document. Never logs.
   */
  report(doc: object, text?: string): void;
}

/**
 * The storage a command points at: the config's storage section, or --path for a directory.
 * A --backup-id is checked here too, as the user input it is, before it names any storage key;
 * a directory that does not exist is an error here, not an empty location (inspect/location.ts).
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
    await requireLocation(config.storage);
    return { storage: openStorage(config.storage, log), config };
  }
  if (opts.path) {
    await requireLocation({ backend: 'filesystem', path: opts.path });
    return { storage: openStorage({ backend: 'filesystem', path: opts.path, permissions: 'private', max_concurrency: 16 }, log) };
  }
  throw new KafkaBackupError('USAGE', 'say where the backups are: --config FILE or --path DIR');
}
