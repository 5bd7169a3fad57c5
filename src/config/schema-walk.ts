// Reading the schema as data: used to suggest keys for unknown-key errors (issues.ts) and to
// generate the reference documentation (docs.ts). Knows only the zod constructs schema*.ts use.

import { z } from 'zod';

export interface KeyInfo {
  /** The innermost schema: what the value is, past optional/default/prefault wrappers. */
  schema: z.ZodType;
  description: string | undefined;
  /** The `docType` meta found on the way in, if any. */
  docType: string | undefined;
  optional: boolean;
  hasDefault: boolean;
  defaultValue: unknown;
}

function metaOf(schema: z.ZodType): Record<string, unknown> {
  return (z.globalRegistry.get(schema) ?? {}) as Record<string, unknown>;
}

/** Peel wrappers off a key's schema, collecting what the docs need. */
export function describeKey(schema: z.ZodType): KeyInfo {
  const info: KeyInfo = {
    schema,
    description: undefined,
    docType: undefined,
    optional: false,
    hasDefault: false,
    defaultValue: undefined,
  };
  let cur: z.ZodType = schema;
  for (;;) {
    const meta = metaOf(cur);
    info.description ??= typeof meta.description === 'string' ? meta.description : undefined;
    info.docType ??= typeof meta.docType === 'string' ? meta.docType : undefined;
    if (cur instanceof z.ZodOptional) {
      info.optional = true;
      cur = cur.unwrap() as z.ZodType;
    } else if (cur instanceof z.ZodDefault) {
      info.hasDefault = true;
      info.defaultValue = cur.def.defaultValue;
      cur = cur.unwrap() as z.ZodType;
    } else if (cur instanceof z.ZodPrefault) {
      info.optional = true;
      cur = cur.unwrap() as z.ZodType;
    } else {
      info.schema = cur;
      return info;
    }
  }
}

/** The object schema (a strict object) for a value, past wrappers and pipes; or undefined. */
function asObject(schema: z.ZodType, data: unknown): z.ZodObject | undefined {
  let cur = describeKey(schema).schema;
  while (cur instanceof z.ZodPipe) cur = describeKey(cur.in as z.ZodType).schema;
  if (cur instanceof z.ZodObject) return cur;
  if (cur instanceof z.ZodDiscriminatedUnion) {
    const tag = cur.def.discriminator;
    const value = (data as Record<string, unknown> | undefined)?.[tag];
    for (const option of cur.options as z.ZodType[]) {
      const obj = asObject(option, data);
      const literal = obj?.shape[tag];
      if (literal instanceof z.ZodLiteral && literal.values.has(value as never)) return obj;
    }
  }
  return undefined;
}

/** The object schema found by following `path` through the schema and the data it validates. */
export function objectAt(root: z.ZodType, path: readonly PropertyKey[], data: unknown): z.ZodObject | undefined {
  let schema: z.ZodType | undefined = root;
  let value = data;
  for (const key of path) {
    if (schema === undefined) return undefined;
    let inner = describeKey(schema).schema;
    while (inner instanceof z.ZodPipe) inner = describeKey(inner.out as z.ZodType).schema;
    if (inner instanceof z.ZodArray) schema = inner.element as z.ZodType;
    else if (inner instanceof z.ZodRecord) schema = inner.valueType as z.ZodType;
    else schema = asObject(inner, value)?.shape[String(key)] as z.ZodType | undefined;
    value = (value as Record<PropertyKey, unknown> | undefined)?.[key];
  }
  return schema === undefined ? undefined : asObject(schema, value);
}

/** Meta flag on an object schema: list every supported key when an unknown one is written. */
export function listsKeysOnUnknown(schema: z.ZodObject): boolean {
  return metaOf(schema).unknownKeyHint === 'list';
}
