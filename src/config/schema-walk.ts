// Reading the schema as data: used to suggest keys for unknown-key errors (issues.ts), to
// generate the reference documentation (docs.ts) and to find the values marked secret
// (secret-mark.ts) for redaction (redact.ts). Knows only the zod constructs schema*.ts use.

import { z } from 'zod';

export interface KeyInfo {
  /** The innermost schema: what the value is, past optional/default/prefault wrappers. */
  schema: z.ZodType;
  description: string | undefined;
  /** The `docType` meta found on the way in, if any. */
  docType: string | undefined;
  /** Whether the key carries the `secret` mark (secret-mark.ts) on any of its wrappers. */
  secret: boolean;
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
    secret: false,
    optional: false,
    hasDefault: false,
    defaultValue: undefined,
  };
  let cur: z.ZodType = schema;
  for (;;) {
    const meta = metaOf(cur);
    info.description ??= typeof meta.description === 'string' ? meta.description : undefined;
    info.docType ??= typeof meta.docType === 'string' ? meta.docType : undefined;
    info.secret ||= meta.secret === true;
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

/** A value found under a secret mark, with its path in the data. */
export interface SecretValue {
  path: PropertyKey[];
  value: unknown;
}

/** Whether `value` can be walked into (a mapping or a list). */
function isContainer(value: unknown): value is Record<PropertyKey, unknown> {
  return value !== null && typeof value === 'object';
}

/**
 * Every value in `data` (a written or a parsed config, valid or not) whose key the schema marks
 * secret. Follows the data: a key absent from it, or a variant it does not choose, yields nothing.
 */
export function secretValues(root: z.ZodType, data: unknown, path: PropertyKey[] = []): SecretValue[] {
  const info = describeKey(root);
  if (info.secret) return data === undefined || data === null ? [] : [{ path, value: data }];
  if (!isContainer(data)) return [];
  const object = asObject(root, data);
  if (object !== undefined) {
    return Object.entries(object.shape).flatMap(([key, schema]) =>
      Object.hasOwn(data, key) ? secretValues(schema as z.ZodType, data[key], [...path, key]) : [],
    );
  }
  let inner = info.schema;
  while (inner instanceof z.ZodPipe) inner = describeKey(inner.in as z.ZodType).schema;
  if (inner instanceof z.ZodRecord) {
    return Object.entries(data).flatMap(([key, value]) => secretValues(inner.valueType as z.ZodType, value, [...path, key]));
  }
  if (inner instanceof z.ZodArray && Array.isArray(data)) {
    return data.flatMap((value, i) => secretValues(inner.element as z.ZodType, value, [...path, i]));
  }
  return [];
}

/** A key of the schema that holds a value (not a section); `variant` names the union member holding it. */
export interface SchemaKey {
  /** The key's path; "*" stands for any entry of a mapping or list. */
  path: string[];
  variant: Record<string, string>;
  secret: boolean;
}

/** Every value-holding key of the schema, in every variant (redact.ts and the tests enumerate them). */
export function schemaKeys(root: z.ZodType, path: string[] = [], variant: Record<string, string> = {}): SchemaKey[] {
  const info = describeKey(root);
  if (info.secret) return [{ path, variant, secret: true }];
  let inner = info.schema;
  while (inner instanceof z.ZodPipe) inner = describeKey(inner.in as z.ZodType).schema;
  if (inner instanceof z.ZodObject) {
    return Object.entries(inner.shape).flatMap(([key, schema]) => schemaKeys(schema as z.ZodType, [...path, key], variant));
  }
  if (inner instanceof z.ZodDiscriminatedUnion) {
    const tag = inner.def.discriminator;
    return (inner.options as z.ZodObject[]).flatMap((option) => {
      const value = [...(option.shape[tag] as z.ZodLiteral).values].join('');
      return schemaKeys(option, path, { ...variant, [[...path, tag].join('.')]: value });
    });
  }
  if (inner instanceof z.ZodRecord) return schemaKeys(inner.valueType as z.ZodType, [...path, '*'], variant);
  if (inner instanceof z.ZodArray) return schemaKeys(inner.element as z.ZodType, [...path, '*'], variant);
  return [{ path, variant, secret: false }];
}

/** The keys the schema marks secret. */
export function secretKeys(root: z.ZodType): SchemaKey[] {
  return schemaKeys(root).filter((key) => key.secret);
}
