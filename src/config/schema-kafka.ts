// The Kafka connection section (`source` for backup, `target` for restore) of the config schema.
// Cross-field checks (SASL/SSL consistency) live in rules.ts, not here, so that every problem is
// reported at once with its own path.

import { z } from 'zod';
import { byteSize, int } from './schema-helpers.js';
import { secret } from './secret-mark.js';
import { topicPatternError } from './topics.js';

export const securityProtocols = ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'] as const;
export const saslMechanisms = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] as const;
export type SaslMechanism = (typeof saslMechanisms)[number];

/** "host:port", "[ipv6]:port"; the message for a bad address, or undefined. */
export function brokerAddressError(address: string): string | undefined {
  // Whatever precedes an "@" may be a credential: it is never quoted back.
  const at = address.lastIndexOf('@');
  if (at >= 0) return `"…@${address.slice(at + 1)}": a broker address is "host:port" without credentials (SASL credentials go in security.sasl_username / sasl_password)`;
  const match = /^(\[[0-9a-fA-F:.]+\]|[^\s:[\]/]+):(\d{1,5})$/.exec(address);
  if (!match) return `"${address}" is not a "host:port" broker address`;
  const port = Number(match[2]);
  if (port < 1 || port > 65535) return `"${address}": port must be between 1 and 65535`;
  return undefined;
}

const brokerAddress = z.string().superRefine((address, ctx) => {
  const error = brokerAddressError(address);
  if (error) ctx.addIssue({ code: 'custom', message: error, input: address });
});

const bootstrapServers = z
  .union([z.string(), z.array(z.string())], {
    error: () => 'expected a list of "host:port" strings or one comma-separated string',
  })
  .transform((value) => (typeof value === 'string' ? value.split(',').map((s) => s.trim()).filter((s) => s) : value))
  .pipe(z.array(brokerAddress).min(1, 'must name at least one broker'))
  .meta({ docType: 'string[] | string' });

const topicEntry = z.string().superRefine((entry, ctx) => {
  const error = topicPatternError(entry);
  if (error) ctx.addIssue({ code: 'custom', message: error, input: entry });
});

/** Shared by `source.topics` and `restore.topics`; see topics.ts for the selector syntax. */
export function topicSelectionSchema(what: string) {
  return z
    .strictObject({
      include: z
        .array(topicEntry)
        .default([])
        .describe(
          `${what} to select: exact names, globs with * and ?, or regular expressions written after "~" ` +
            '(e.g. "~^orders-[0-9]+$"). Empty selects every topic except internal ones (names starting with "__"), ' +
            'which only an exact name selects.',
        ),
      exclude: z
        .array(topicEntry)
        .default([])
        .describe('Entries in the same syntax; a topic matching any of them is never selected, even if included.'),
    })
    .prefault({});
}

const securitySchema = z
  .strictObject({
    security_protocol: z
      .enum(securityProtocols)
      .default('PLAINTEXT')
      .describe('How to talk to the brokers: plain TCP or TLS, with or without SASL authentication.'),
    sasl_mechanism: z
      .enum([...saslMechanisms, 'SCRAM-SHA256', 'SCRAM-SHA512'])
      .transform((m): SaslMechanism => (m === 'SCRAM-SHA256' ? 'SCRAM-SHA-256' : m === 'SCRAM-SHA512' ? 'SCRAM-SHA-512' : m))
      .meta({ docType: saslMechanisms.map((m) => `'${m}'`).join(' | ') })
      .optional()
      .describe('SASL mechanism; required with SASL_PLAINTEXT and SASL_SSL. SCRAM-SHA256 / SCRAM-SHA512 are accepted.'),
    sasl_username: z.string().min(1).optional().describe('SASL user name; required with SASL_* protocols.'),
    sasl_password: z
      .string()
      .optional()
      .meta(secret)
      .describe('SASL password; required with SASL_* protocols. Write it as ${VAR} to keep it out of the file.'),
    ssl_ca_location: z
      .string()
      .min(1)
      .optional()
      .describe('PEM file of CA certificates to trust (default: Node.js trusted CAs). Relative to the config file.'),
    ssl_certificate_location: z
      .string()
      .min(1)
      .optional()
      .describe('PEM client certificate for mutual TLS; needs ssl_key_location. Relative to the config file.'),
    ssl_key_location: z
      .string()
      .min(1)
      .optional()
      .describe('PEM private key of the client certificate; needs ssl_certificate_location. Relative to the config file.'),
    ssl_key_password: z.string().optional().meta(secret).describe('Passphrase of an encrypted ssl_key_location.'),
    ssl_reject_unauthorized: z
      .boolean()
      .default(true)
      .describe('Verify the brokers\' certificates. Turn off only for testing.'),
  })
  .prefault({});

const kafkaConfigSchema = z
  .strictObject({
    'client.id': z.string().min(1).optional().describe('Client id sent to the brokers in every request; overrides client_id.'),
    'request.timeout.ms': int(1)
      .default(30000)
      .describe(
        "How long to wait for a broker's response before the request counts as failed (and is retried). " +
          'A Fetch may take fetch.max.wait.ms and a Produce 30 s on top of it.',
      ),
    'socket.connection.setup.timeout.ms': int(1).default(10000).describe('How long to wait for a TCP (and TLS) connection to a broker.'),
    'metadata.max.age.ms': int(1)
      .default(300000)
      .describe(
        'Refresh the cluster metadata (brokers, partition leaders) at least this often, in every client of the connection: ' +
          'the admin client, and the leader look-ups of fetches, offset requests and produces (a partition\'s produces keep its leader ' +
          'until an error says it moved). A leader change is also noticed at once from the error it causes.',
      ),
    'fetch.max.bytes': byteSize(1)
      .default(52428800)
      .describe('Backup (source) only: most bytes one Fetch response may return, over all its partitions (at least one record batch comes back).'),
    'max.partition.fetch.bytes': byteSize(1)
      .default(8388608)
      .describe('Backup (source) only: most bytes one Fetch returns per partition (a larger record batch is fetched again with room for it).'),
    'fetch.max.wait.ms': int(1)
      .default(500)
      .describe('Backup (source) only: how long the broker may hold a Fetch waiting for fetch.min.bytes (or, in continuous mode, for new records).'),
    'fetch.min.bytes': byteSize(1)
      .default(1)
      .describe('Backup (source) only: least bytes the broker waits for, up to fetch.max.wait.ms, before answering a Fetch.'),
    retries: int(0)
      .default(5)
      .describe(
        'Retries of a failed request (metadata, offsets, Fetch, Produce, admin) before the run fails; 0: none. ' +
          "The restore's InitProducerId is retried at least 10 times (a new cluster answers it only once its transaction state exists).",
      ),
    'retry.backoff.ms': int(1)
      .default(200)
      .describe('About how long to wait before the first retry of a failed request (with jitter); each further retry waits about twice as long.'),
    'max.in.flight.requests.per.connection': int(1, 5)
      .default(5)
      .describe(
        'Restore (target) only: most Produce requests awaiting their answer per broker connection, and per partition ' +
          '(at most 5, the most for which the idempotent producer keeps order).',
      ),
  })
  .meta({ unknownKeyHint: 'list' })
  .prefault({});

export const kafkaConnectionSchema = z.strictObject({
  bootstrap_servers: bootstrapServers.describe(
    'Brokers to bootstrap from, as "host:port" entries (a list, or one comma-separated string).',
  ),
  client_id: z.string().min(1).default('kafka-backup').describe('Client id sent to the brokers.'),
  security: securitySchema.describe('Transport security and authentication.'),
  topics: topicSelectionSchema('Topics').describe(
    'Which topics to back up; source only (written under target it is refused: the restore selects topics with restore.topics).',
  ),
  kafka_config: kafkaConfigSchema.describe(
    'Kafka client settings under their Java property names (quote the keys). Only the listed ones are supported; ' +
      'those marked as one side\'s are refused on the other, and other Java client properties are refused (see the list at the end).',
  ),
});
