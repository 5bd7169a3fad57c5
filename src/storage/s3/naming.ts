// Relative keys ↔ S3 object names under the config's prefix, and the etag form the backend hands out.

import { validateKey, validatePrefix } from '../keys.js';

export class S3Names {
  /** The config prefix with one trailing '/', or '' for the bucket root. */
  readonly root: string;
  readonly location: string;

  constructor(bucket: string, prefix: string) {
    const trimmed = prefix.replace(/\/+$/, '');
    this.root = trimmed === '' ? '' : `${trimmed}/`;
    this.location = trimmed === '' ? `s3://${bucket}` : `s3://${bucket}/${trimmed}`;
  }

  /** The object name of a key; INTERNAL for keys that break src/storage/keys.ts. */
  objectName(key: string): string {
    validateKey(key);
    return this.root + key;
  }

  /** The object-name prefix of a list prefix. */
  listPrefix(prefix: string): string {
    validatePrefix(prefix);
    return this.root + prefix;
  }

  /**
   * The key of a listed object name, or undefined for names that are not our objects: outside the
   * root, or "directory markers" ending in '/' that consoles and other tools create.
   */
  keyOf(name: string): string | undefined {
    if (!name.startsWith(this.root) || name.endsWith('/')) return undefined;
    const key = name.slice(this.root.length);
    return key === '' ? undefined : key;
  }
}

/**
 * S3 ETags are quoted ("…"); the backend hands them out quoted, as PutObject, HeadObject and
 * ListObjectsV2 return them, and sends them back as they are in If-Match.
 */
export function normalizeEtag(etag: string | undefined): string {
  if (etag === undefined || etag === '') return '';
  return etag.startsWith('"') || etag.startsWith('W/"') ? etag : `"${etag}"`;
}
