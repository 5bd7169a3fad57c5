// Normalize phase: the schema has applied defaults and units; this resolves what depends on where
// the config file lives, and folds overriding keys into one place (see types.ts for the result).

import { resolve } from 'node:path';
import type { Config, KafkaConnectionConfig, SecurityConfig, StorageConfig } from './types.js';

const securityPathKeys = ['ssl_ca_location', 'ssl_certificate_location', 'ssl_key_location'] as const;

function normalizeConnection(connection: KafkaConnectionConfig, baseDir: string): KafkaConnectionConfig {
  const security: SecurityConfig = { ...connection.security };
  for (const key of securityPathKeys) {
    const value = security[key];
    if (value !== undefined) security[key] = resolve(baseDir, value);
  }
  return {
    ...connection,
    client_id: connection.kafka_config['client.id'] ?? connection.client_id,
    security,
  };
}

function normalizeStorage(storage: StorageConfig, baseDir: string): StorageConfig {
  switch (storage.backend) {
    case 'filesystem':
      return { ...storage, path: resolve(baseDir, storage.path) };
    case 'gcs':
      return storage.key_file === undefined ? storage : { ...storage, key_file: resolve(baseDir, storage.key_file) };
    default:
      return storage;
  }
}

/** `baseDir` is the absolute directory of the config file. Returns a new object. */
export function normalizeConfig(parsed: Config, baseDir: string): Config {
  const config: Config = { ...parsed, storage: normalizeStorage(parsed.storage, baseDir) };
  if (parsed.source) config.source = normalizeConnection(parsed.source, baseDir);
  if (parsed.target) config.target = normalizeConnection(parsed.target, baseDir);
  return config;
}
