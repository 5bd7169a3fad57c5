// Checks a command makes on a loaded config: the schema keeps `source` and `target` optional
// because one file may serve either command; the command says which one it needs.

import { ConfigError } from '../errors.js';
import type { Config, KafkaConnectionConfig } from './types.js';

/** The command that needs each section, for messages. */
export type ConfigCommand = 'backup' | 'restore' | (string & {});

/**
 * The `source` or `target` connection, or a ConfigError "source: required for the backup command".
 * `file` names the config in the error (default "config").
 */
export function requireSection(
  config: Config,
  section: 'source' | 'target',
  command: ConfigCommand,
  file = 'config',
): KafkaConnectionConfig {
  const connection = config[section];
  if (connection === undefined) throw new ConfigError(file, [`${section}: required for the ${command} command`]);
  return connection;
}

/** Refuse a config whose `mode` names another command (a file without `mode` suits any command). */
export function checkMode(config: Config, command: 'backup' | 'restore', file = 'config'): void {
  if (config.mode !== undefined && config.mode !== command) {
    throw new ConfigError(file, [`mode: the file is for ${config.mode}, not for the ${command} command`]);
  }
}
