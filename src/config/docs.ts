// Generates docs/configuration.md from the schema, so the reference cannot drift from the code
// (test/config/docs.test.ts compares the two). Run as a script to print the Markdown:
//   npx tsc -p tsconfig.json && node dist/src/config/docs.js > docs/configuration.md

import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { configSchema } from './schema.js';
import { formatPath } from './issues.js';
import { oneSidedKafkaKeys, refusedKafkaProperty, refusedKafkaPropertyList } from './kafka-properties.js';
import { describeKey, type KeyInfo } from './schema-walk.js';
import { formatByteSize } from './units.js';

const intro = `# Configuration reference

<!-- Generated from src/config/schema.ts by src/config/docs.ts; do not edit by hand.
     Regenerate: npx tsc -p tsconfig.json && node dist/src/config/docs.js > docs/configuration.md -->

kafka-backup reads one YAML file per run (\`--config\`). Keys are snake_case (Kafka client
properties under \`kafka_config\` keep their Java names), and every mapping is strict: an unknown
key is an error, with the closest known key suggested. Any string value may use environment
variables: \`\${VAR}\`, \`\${VAR:-default}\` (used when VAR is unset or empty), and \`$\${\` for a
literal \`\${\`; an unquoted value that becomes an integer or true/false takes that type. Byte
sizes are integers or strings with a unit: \`"512KiB"\`, \`"128MiB"\`, \`"1GiB"\` (powers of 1024) or
\`"64MB"\` (powers of 1000). Relative file paths are resolved against the directory of the config
file. All problems are reported at once, one per line, as \`<key path>: message\`. Examples live
in \`config-examples/\`.

Keys marked *Secret* below are masked as \`***\` wherever kafka-backup shows configuration
(\`config-check\`, logs) and, when 6 characters or longer, in every message it prints, including
messages of the storage and Kafka libraries that quote them; write them as \`\${VAR}\` to keep
them out of the file too.
`;

function rangeOf(schema: z.ZodType): string {
  if (!(schema instanceof z.ZodNumber)) return '';
  const min = schema.minValue;
  const max = schema.maxValue;
  const bounded = (n: number | null): n is number => n !== null && Math.abs(n) < Number.MAX_SAFE_INTEGER;
  if (bounded(min) && bounded(max)) return ` (${min}..${max})`;
  if (bounded(min)) return ` (≥ ${min})`;
  if (bounded(max)) return ` (≤ ${max})`;
  return '';
}

function typeLabel(info: KeyInfo): string {
  const { schema } = info;
  if (info.docType !== undefined) {
    return schema instanceof z.ZodPipe ? info.docType + rangeOf(describeKey(schema.out as z.ZodType).schema) : info.docType;
  }
  if (schema instanceof z.ZodPipe) return typeLabel(describeKey(schema.in as z.ZodType));
  if (schema instanceof z.ZodString) return 'string';
  if (schema instanceof z.ZodNumber) return (schema.isInt ? 'integer' : 'number') + rangeOf(schema);
  if (schema instanceof z.ZodBoolean) return 'boolean';
  if (schema instanceof z.ZodEnum) return schema.options.map((o) => `'${String(o)}'`).join(' | ');
  if (schema instanceof z.ZodLiteral) return [...schema.values].map((v) => JSON.stringify(v)).join(' | ');
  if (schema instanceof z.ZodDiscriminatedUnion || schema instanceof z.ZodObject) return 'mapping';
  if (schema instanceof z.ZodUnion) {
    return (schema.options as z.ZodType[]).map((o) => typeLabel(describeKey(o))).join(' | ');
  }
  if (schema instanceof z.ZodArray) return `${typeLabel(describeKey(schema.element as z.ZodType))}[]`;
  if (schema instanceof z.ZodRecord) {
    const key = typeLabel(describeKey(schema.keyType as z.ZodType));
    return `mapping of ${key} → ${typeLabel(describeKey(schema.valueType as z.ZodType))}`;
  }
  return 'value';
}

function defaultLabel(info: KeyInfo): string {
  if (info.hasDefault) {
    const value = info.defaultValue;
    const text = `\`${JSON.stringify(value)}\``;
    const isBytes = info.docType === 'byte size' && typeof value === 'number' && value >= 1024;
    return isBytes ? `${text} (${formatByteSize(value)})` : text;
  }
  if (info.schema instanceof z.ZodObject && info.optional) return 'see keys';
  return info.optional ? 'optional' : '**required**';
}

const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

interface Section {
  title: string;
  path: string[];
  description: string | undefined;
  object: z.ZodObject;
}

/** The Markdown of docs/configuration.md. */
export function renderConfigReference(): string {
  const out: string[] = [intro];
  const queue: Section[] = [{ title: 'Top-level keys', path: [], description: undefined, object: configSchema }];
  const documented = new Map<z.ZodObject, string[]>();
  while (queue.length > 0) {
    const section = queue.shift()!;
    documented.set(section.object, section.path);
    out.push(`## ${section.title}\n`);
    if (section.description) out.push(`${section.description}\n`);
    out.push('| Key | Type | Default | Description |', '| --- | --- | --- | --- |');
    const nested: Section[] = [];
    for (const [key, schema] of Object.entries(section.object.shape)) {
      const path = [...section.path, key];
      const name = formatPath(path);
      const info = describeKey(schema as z.ZodType);
      let description = info.description ?? '';
      if (info.secret) description += ' Secret: masked (`***`) in all output.';
      const inner = info.schema;
      if (inner instanceof z.ZodObject) {
        const same = documented.get(inner) ?? nested.find((s) => s.object === inner)?.path;
        if (same !== undefined) description += ` Same keys as \`${formatPath(same)}\`.`;
        else nested.push({ title: `\`${name}\``, path, description: info.description, object: inner });
      } else if (inner instanceof z.ZodDiscriminatedUnion) {
        const tag = inner.def.discriminator;
        for (const option of inner.options as z.ZodObject[]) {
          const literal = option.shape[tag] as z.ZodLiteral;
          const value = [...literal.values].join('');
          nested.push({
            title: `\`${name}\` with \`${tag}: ${value}\``,
            path,
            description: describeKey(literal).description,
            object: option,
          });
        }
      }
      out.push(`| \`${name}\` | ${cell(typeLabel(info))} | ${cell(defaultLabel(info))} | ${cell(description)} |`);
    }
    out.push('');
    queue.unshift(...nested);
  }
  out.push(refusedKafkaPropertiesSection());
  return out.join('\n');
}

/** The Kafka client properties kafka_config refuses, and the one-sided keys, with the messages. */
function refusedKafkaPropertiesSection(): string {
  const oneSided = Object.entries(oneSidedKafkaKeys).map(([key, { side }]) => `\`${key}\` (${side} only)`);
  const why = (side: string, key: string) => cell(refusedKafkaProperty([side, 'kafka_config'], key) ?? '');
  return [
    '## Kafka client properties that are refused\n',
    'Under `source.kafka_config` or `target.kafka_config`, these Java client properties are config errors, with the message below: ' +
      'a producer property has no effect on the source (the backup does not produce) and a consumer property none on the target ' +
      `(the restore does not fetch from Kafka). The one-sided keys above are refused on the other side: ${oneSided.join(', ')}.\n`,
    '| Property | Kind | Under `source` | Under `target` |',
    '| --- | --- | --- | --- |',
    ...refusedKafkaPropertyList().map(({ key, kind }) => `| \`${key}\` | ${kind} | ${why('source', key)} | ${why('target', key)} |`),
    '',
  ].join('\n');
}

function invokedDirectly(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(script)).href;
  } catch {
    return false;
  }
}

if (invokedDirectly()) process.stdout.write(renderConfigReference());
