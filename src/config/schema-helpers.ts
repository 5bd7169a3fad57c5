// Small schema builders shared by the schema files.

import { z } from 'zod';
import { parseByteSize } from './units.js';

/** An integer in [min, max]. */
export function int(min: number, max?: number) {
  const base = z.int().min(min);
  return max === undefined ? base : base.max(max);
}

/**
 * A byte count written as an integer or a size string ("128MiB", "64MB"), normalized to an
 * integer in [min, max]. Its `docType` meta tells the docs generator how to label it.
 */
export function byteSize(min: number, max: number = Number.MAX_SAFE_INTEGER) {
  return z
    .union([z.number(), z.string()], { error: () => 'expected a byte size: an integer or a string such as "128MiB"' })
    .transform((value, ctx) => {
      const parsed = parseByteSize(value);
      if ('error' in parsed) {
        ctx.issues.push({ code: 'custom', message: parsed.error, input: value });
        return z.NEVER;
      }
      return parsed.bytes;
    })
    .pipe(int(min, max))
    .meta({ docType: 'byte size' });
}
