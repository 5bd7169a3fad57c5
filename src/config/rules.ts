// Rules phase: named cross-field checks over the normalized config. A rule reports through ctx and
// never throws, so every broken rule is reported together. Rules that care whether a key was
// *written* (rather than defaulted) ask ctx.isWritten, which looks at the user's tree.

import { formatPath } from './issues.js';
import { oneSidedKafkaKeys } from './kafka-properties.js';
import { secretNamePattern } from './secret-mark.js';
import type { Config, KafkaConnectionConfig } from './types.js';

export interface RuleContext {
  readonly config: Config;
  /** Whether the user wrote this key (after env interpolation), as opposed to a default. */
  isWritten(path: readonly PropertyKey[]): boolean;
  error(path: readonly PropertyKey[], message: string): void;
}

export interface Rule {
  name: string;
  check(ctx: RuleContext): void;
}

const saslKeys = ['sasl_mechanism', 'sasl_username', 'sasl_password'] as const;
const sslKeys = [
  'ssl_ca_location',
  'ssl_certificate_location',
  'ssl_key_location',
  'ssl_key_password',
  'ssl_reject_unauthorized',
] as const;

/** Run `check` on each Kafka connection present, with the path of its `security` section. */
function eachConnection(ctx: RuleContext, check: (c: KafkaConnectionConfig, at: PropertyKey[]) => void): void {
  for (const section of ['source', 'target'] as const) {
    const connection = ctx.config[section];
    if (connection) check(connection, [section, 'security']);
  }
}

export const rules: readonly Rule[] = [
  {
    name: 'saslProtocolNeedsCredentials',
    check: (ctx) =>
      eachConnection(ctx, ({ security }, at) => {
        if (!security.security_protocol.startsWith('SASL_')) return;
        for (const key of saslKeys) {
          if (security[key] === undefined) {
            ctx.error([...at, key], `required when security_protocol is ${security.security_protocol}`);
          }
        }
      }),
  },
  {
    name: 'saslKeysNeedSaslProtocol',
    check: (ctx) =>
      eachConnection(ctx, ({ security }, at) => {
        if (security.security_protocol.startsWith('SASL_')) return;
        for (const key of saslKeys) {
          if (ctx.isWritten([...at, key])) {
            ctx.error([...at, key], `${key} is set but security_protocol is ${security.security_protocol}`);
          }
        }
      }),
  },
  {
    name: 'sslKeysNeedSslProtocol',
    check: (ctx) =>
      eachConnection(ctx, ({ security }, at) => {
        if (security.security_protocol.endsWith('SSL')) return;
        for (const key of sslKeys) {
          if (ctx.isWritten([...at, key])) {
            ctx.error(
              [...at, key],
              `${key} is set but security_protocol is ${security.security_protocol} (use SSL or SASL_SSL)`,
            );
          }
        }
      }),
  },
  {
    name: 'clientCertificateNeedsKey',
    check: (ctx) =>
      eachConnection(ctx, ({ security }, at) => {
        const certificate = security.ssl_certificate_location !== undefined;
        const key = security.ssl_key_location !== undefined;
        if (certificate && !key) ctx.error([...at, 'ssl_key_location'], 'required with ssl_certificate_location');
        if (key && !certificate) ctx.error([...at, 'ssl_certificate_location'], 'required with ssl_key_location');
        if (security.ssl_key_password !== undefined && !key) {
          ctx.error([...at, 'ssl_key_password'], 'ssl_key_password is set but ssl_key_location is not');
        }
      }),
  },
  {
    name: 'compressionLevelIsZstdOnly',
    check: (ctx) => {
      const { compression } = ctx.config.backup;
      if (compression !== 'zstd' && ctx.isWritten(['backup', 'compression_level'])) {
        ctx.error(['backup', 'compression_level'], `applies to zstd only, but backup.compression is ${compression}`);
      }
    },
  },
  {
    name: 'continuousOnlyKeys',
    check: (ctx) => {
      if (ctx.config.backup.mode === 'continuous') return;
      for (const key of ['poll_interval_ms', 'consumer_groups_interval_secs'] as const) {
        if (ctx.isWritten(['backup', key])) ctx.error(['backup', key], 'applies to continuous mode only, but backup.mode is snapshot');
      }
    },
  },
  {
    name: 'groupSettingsNeedGroups',
    check: (ctx) => {
      const { backup, restore } = ctx.config;
      if (backup.consumer_groups.length === 0 && backup.mode === 'continuous' && ctx.isWritten(['backup', 'consumer_groups_interval_secs'])) {
        ctx.error(['backup', 'consumer_groups_interval_secs'], 'has no effect: backup.consumer_groups selects no group');
      }
      if (restore.consumer_groups.length === 0 && Object.keys(restore.consumer_group_mapping).length > 0) {
        ctx.error(['restore', 'consumer_group_mapping'], 'has no effect: restore.consumer_groups selects no group');
      }
    },
  },
  {
    name: 'replicationFactorNeedsCreateTopics',
    check: (ctx) => {
      if (!ctx.config.restore.create_topics && ctx.isWritten(['restore', 'replication_factor'])) {
        ctx.error(['restore', 'replication_factor'], 'applies to topics the restore creates, but restore.create_topics is false');
      }
    },
  },
  {
    name: 'blockFitsInSegment',
    check: (ctx) => {
      const { block_max_bytes, segment_max_bytes } = ctx.config.backup;
      if (block_max_bytes > segment_max_bytes) {
        ctx.error(
          ['backup', 'block_max_bytes'],
          `${block_max_bytes} exceeds backup.segment_max_bytes (${segment_max_bytes})`,
        );
      }
    },
  },
  {
    name: 'topicMappingTargetsDistinct',
    check: (ctx) => {
      const seen = new Map<string, string>();
      for (const [source, target] of Object.entries(ctx.config.restore.topic_mapping)) {
        const first = seen.get(target);
        if (first === undefined) seen.set(target, source);
        else ctx.error(['restore', 'topic_mapping', source], `maps to "${target}", as does "${first}"`);
      }
    },
  },
  {
    // source and target share one schema; a key only the other side uses would be parsed and ignored.
    name: 'kafkaConfigKeysOnTheirSide',
    check: (ctx) => {
      for (const section of ['source', 'target'] as const) {
        for (const [key, { side, why }] of Object.entries(oneSidedKafkaKeys)) {
          if (side !== section && ctx.isWritten([section, 'kafka_config', key])) {
            ctx.error([section, 'kafka_config', key], `has no effect on the ${section}: ${why}`);
          }
        }
      }
    },
  },
  {
    // Topic configs carry no secrets, so config_overrides is printed as it is; a key named like a
    // secret would put one in that output (secret-mark.ts).
    name: 'topicConfigsCarryNoSecrets',
    check: (ctx) => {
      for (const key of Object.keys(ctx.config.restore.config_overrides)) {
        if (secretNamePattern.test(key)) {
          ctx.error(['restore', 'config_overrides', key], 'is named like a secret, and topic configs carry none (client credentials go in source/target security)');
        }
      }
    },
  },
  {
    name: 'targetTopicsUnused',
    check: (ctx) => {
      if (ctx.isWritten(['target', 'topics'])) {
        ctx.error(
          ['target', 'topics'],
          'has no effect: the restore selects the backed-up topics with restore.topics (and renames them with restore.topic_mapping); source.topics selects what a backup copies',
        );
      }
    },
  },
  {
    // A file that declares its mode serves only that command: the other direction's sections would be ignored.
    name: 'modeExcludesOtherSections',
    check: (ctx) => {
      const { mode } = ctx.config;
      if (mode === undefined) return;
      const other = mode === 'backup' ? (['target', 'restore'] as const) : (['source', 'backup'] as const);
      for (const section of other) {
        if (ctx.isWritten([section])) {
          ctx.error([section], `has no effect: mode is ${mode}, so the file serves only the ${mode} command (without mode, one file serves both)`);
        }
      }
    },
  },
  {
    // Locations and messages print the endpoint: credentials belong in the keys marked secret.
    name: 'endpointIsPlainHttp',
    check: (ctx) => {
      const storage = ctx.config.storage;
      if (storage.backend === 'filesystem' || storage.endpoint === undefined) return;
      const url = new URL(storage.endpoint);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') {
        ctx.error(['storage', 'endpoint'], `must be an http:// or https:// URL, not ${url.protocol}`);
      }
      if (url.username === '' && url.password === '' && url.search === '') return;
      const where = { s3: 'access_key_id / secret_access_key', azure: 'account_key, sas_token or connection_string', gcs: 'key_file' }[storage.backend];
      ctx.error(['storage', 'endpoint'], `holds credentials or a query, which the endpoint URL must not (it is printed in messages): give them in ${where}`);
    },
  },
  {
    name: 'modeHasItsCluster',
    check: (ctx) => {
      const { mode } = ctx.config;
      const section = mode === 'backup' ? 'source' : mode === 'restore' ? 'target' : undefined;
      if (section !== undefined && ctx.config[section] === undefined) {
        ctx.error([section], `required when mode is ${mode}`);
      }
    },
  },
];

/** Problems ("path: message") from every rule. `written` is the user's tree after interpolation. */
export function runRules(config: Config, written: unknown): string[] {
  const problems: string[] = [];
  const ctx: RuleContext = {
    config,
    isWritten(path) {
      let node: unknown = written;
      for (const key of path) {
        if (node === null || typeof node !== 'object' || !Object.hasOwn(node, key)) return false;
        node = (node as Record<PropertyKey, unknown>)[key];
      }
      return node !== undefined && node !== null;
    },
    error(path, message) {
      problems.push(`${formatPath(path)}: ${message}`);
    },
  };
  for (const rule of rules) rule.check(ctx);
  return problems;
}
