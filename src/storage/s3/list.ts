// Listing objects (ListObjectsV2, one page per response) and sweeping multipart uploads that never
// completed (ListMultipartUploads + AbortMultipartUpload).

import { AbortMultipartUploadCommand, ListMultipartUploadsCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { ObjectInfo } from '../backend.js';
import type { S3Context } from './context.js';
import { errorName } from './errors.js';
import { normalizeEtag } from './naming.js';

/**
 * Objects whose key starts with prefix, in S3's order (UTF-8 bytes, = compareKeys), one page per
 * ListObjectsV2 response (at most pageSize keys; S3 caps it at 1000). Pages that hold only
 * directory markers are skipped; an empty listing yields no page.
 */
export async function* listObjectPages(context: S3Context, prefix: string, pageSize = 1000): AsyncGenerator<ObjectInfo[]> {
  const { client } = context.clients;
  const namePrefix = context.names.listPrefix(prefix);
  let token: string | undefined;
  do {
    let answer;
    try {
      answer = await client.send(
        new ListObjectsV2Command({
          Bucket: context.bucket,
          MaxKeys: pageSize,
          ...(namePrefix === '' ? {} : { Prefix: namePrefix }),
          ...(token === undefined ? {} : { ContinuationToken: token }),
        }),
      );
    } catch (err) {
      throw context.fail(err, 'listing');
    }
    const page: ObjectInfo[] = [];
    for (const object of answer.Contents ?? []) {
      const key = object.Key === undefined ? undefined : context.names.keyOf(object.Key);
      if (key === undefined) continue;
      page.push({ key, size: object.Size ?? 0, etag: normalizeEtag(object.ETag) });
    }
    if (page.length > 0) yield page;
    token = answer.IsTruncated === true ? answer.NextContinuationToken : undefined;
  } while (token !== undefined);
}

/**
 * Aborts multipart uploads under prefix started more than olderThanMs ago; resolves to how many.
 * MinIO answers ListMultipartUploads only for an exact object name, not a prefix (checked against
 * the pinned MinIO: Prefix "a/" lists nothing while "a/b" lists b's uploads), so the bucket's
 * uploads are listed without a prefix and filtered here; that also holds on AWS.
 */
export async function sweepUploads(context: S3Context, olderThanMs: number, prefix: string): Promise<number> {
  const { client } = context.clients;
  const namePrefix = context.names.listPrefix(prefix);
  const cutoff = Date.now() - olderThanMs;
  let removed = 0;
  let keyMarker: string | undefined;
  let uploadIdMarker: string | undefined;
  for (;;) {
    let answer;
    try {
      answer = await client.send(
        new ListMultipartUploadsCommand({
          Bucket: context.bucket,
          ...(keyMarker === undefined ? {} : { KeyMarker: keyMarker }),
          ...(uploadIdMarker === undefined ? {} : { UploadIdMarker: uploadIdMarker }),
        }),
      );
    } catch (err) {
      throw context.fail(err, 'sweeping');
    }
    for (const upload of answer.Uploads ?? []) {
      const { Key: name, UploadId: uploadId, Initiated: initiated } = upload;
      if (name === undefined || uploadId === undefined || !name.startsWith(namePrefix)) continue;
      if (initiated !== undefined && initiated.getTime() > cutoff) continue; // maybe a live writer
      try {
        await client.send(new AbortMultipartUploadCommand({ Bucket: context.bucket, Key: name, UploadId: uploadId }));
        removed++;
      } catch (err) {
        if (errorName(err) !== 'NoSuchUpload') throw context.fail(err, 'sweeping', context.names.keyOf(name));
      }
    }
    if (answer.IsTruncated !== true) return removed;
    keyMarker = answer.NextKeyMarker;
    uploadIdMarker = answer.NextUploadIdMarker;
    if (keyMarker === undefined || keyMarker === '') return removed; // no way to continue
  }
}
