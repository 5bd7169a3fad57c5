// The configuration module: one YAML file → a validated, normalized Config, or a ConfigError
// listing every problem as "<dot.path>: message". Pipeline: load.ts (YAML, ${VAR} via env.ts) →
// schema.ts (types, defaults, units) → normalize.ts (paths) → rules.ts (cross-field checks).
// The reference docs (docs/configuration.md) are generated from the schema by docs.ts.

export { checkConfig, loadConfig, parseConfig, type CheckResult } from './load.js';
export { checkMode, requireSection } from './sections.js';
export { redactConfig } from './redact.js';
export { compileTopicSelector, isInternalTopic, literalTopics } from './topics.js';
export type {
  BackupOptions,
  Config,
  FilesystemStorageConfig,
  KafkaClientProperties,
  KafkaConnectionConfig,
  RestoreOptions,
  SecurityConfig,
  StorageConfig,
  TopicSelection,
  WrittenConfig,
} from './types.js';
