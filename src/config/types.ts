// The config types the rest of the program consumes. `WrittenConfig` is what a user may write;
// `Config` is the result of loadConfig: defaults applied, byte sizes resolved to integers,
// SASL mechanism spellings normalized, bootstrap_servers split into a list, and:
//   - every file path (storage.path, ssl_*_location) is absolute, resolved against the
//     directory of the config file;
//   - client_id already holds kafka_config["client.id"] when that is set.

import type { z } from 'zod';
import type { configSchema, kafkaConnectionSchema, storageSchema } from './schema.js';

export type WrittenConfig = z.input<typeof configSchema>;
export type Config = z.output<typeof configSchema>;

export type KafkaConnectionConfig = z.output<typeof kafkaConnectionSchema>;
export type SecurityConfig = KafkaConnectionConfig['security'];
export type KafkaClientProperties = KafkaConnectionConfig['kafka_config'];
export type TopicSelection = KafkaConnectionConfig['topics'];

export type StorageConfig = z.output<typeof storageSchema>;
export type FilesystemStorageConfig = Extract<StorageConfig, { backend: 'filesystem' }>;

export type BackupOptions = Config['backup'];
export type RestoreOptions = Config['restore'];
