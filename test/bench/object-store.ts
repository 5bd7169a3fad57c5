// The bench's own access to the storage it measures kafka-backup against. The bucket is made and
// emptied through the AWS SDK itself, not through our backend, so a bug in the backend cannot
// make its own benchmark look better. largestObject() sizes the biggest object of a backup (a
// segment), which tells how many multipart parts that segment took on S3.
// MinIO's address and credentials come from the KB_TEST_S3_* variables that
// test/infra/stores.sh writes to its stores.env (run.sh sources it).
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import {
  CreateBucketCommand,
  DeleteObjectsCommand,
  HeadBucketCommand,
  ListObjectsV2Command,
  S3Client,
  type _Object,
} from '@aws-sdk/client-s3';

export interface S3Settings {
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
}

export function s3SettingsFromEnv(env: NodeJS.ProcessEnv = process.env): S3Settings {
  const need = (name: string): string => {
    const v = env[name];
    if (!v) throw new Error(`${name} is not set: source the stores.env of test/infra/stores.sh start --only s3`);
    return v;
  };
  return {
    endpoint: need('KB_TEST_S3_ENDPOINT'),
    region: env['KB_TEST_S3_REGION'] || 'us-east-1',
    accessKeyId: need('KB_TEST_S3_ACCESS_KEY'),
    secretAccessKey: need('KB_TEST_S3_SECRET_KEY'),
  };
}

function client(s: S3Settings): S3Client {
  // The SDK warns on stderr that later releases need Node 22; this process is a helper of the
  // bench, not the code measured, so its progress output stays quiet. (Set here, in the bench's own
  // process, after the measured command was spawned: the measured environment is unchanged.)
  process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
  return new S3Client({
    endpoint: s.endpoint,
    region: s.region,
    forcePathStyle: true,
    credentials: { accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey },
  });
}

async function* listAll(s3: S3Client, bucket: string, prefix: string): AsyncGenerator<_Object> {
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    yield* page.Contents ?? [];
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token !== undefined);
}

/** Creates the bucket, or empties it when it exists: either way it is empty afterwards. */
export async function prepareBucket(s: S3Settings, bucket: string): Promise<{ created: boolean; deleted: number }> {
  const s3 = client(s);
  try {
    const exists = await s3.send(new HeadBucketCommand({ Bucket: bucket })).then(
      () => true,
      (err: { $metadata?: { httpStatusCode?: number } }) => {
        if (err.$metadata?.httpStatusCode === 404) return false;
        throw err;
      },
    );
    if (!exists) {
      await s3.send(new CreateBucketCommand({ Bucket: bucket }));
      return { created: true, deleted: 0 };
    }
    let keys: string[] = [];
    let deleted = 0;
    const flush = async () => {
      if (keys.length === 0) return;
      const r = await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys.map((Key) => ({ Key })), Quiet: true } }));
      if (r.Errors && r.Errors.length > 0) throw new Error(`could not delete ${r.Errors.length} objects of ${bucket}: ${r.Errors[0]?.Message}`);
      deleted += keys.length;
      keys = [];
    };
    for await (const o of listAll(s3, bucket, '')) {
      if (o.Key !== undefined) keys.push(o.Key);
      if (keys.length === 1000) await flush();
    }
    await flush();
    return { created: false, deleted };
  } finally {
    s3.destroy();
  }
}

export interface LargestObject {
  /** Objects under the location (segments, manifests, the backup's metadata). */
  objects: number;
  largestBytes: number;
  largestKey: string;
}

function pick(acc: LargestObject, key: string, size: number): LargestObject {
  const objects = acc.objects + 1;
  return size > acc.largestBytes ? { objects, largestBytes: size, largestKey: key } : { ...acc, objects };
}

/** Every file under dir, recursively (a filesystem backup is a directory of objects). */
export function largestFile(dir: string): LargestObject {
  let acc: LargestObject = { objects: 0, largestBytes: 0, largestKey: '' };
  for (const name of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    const st = statSync(path.join(dir, name));
    if (st.isFile()) acc = pick(acc, name, st.size);
  }
  if (acc.objects === 0) throw new Error(`no files under ${dir}`);
  return acc;
}

export async function largestS3Object(s: S3Settings, bucket: string, prefix: string): Promise<LargestObject> {
  const s3 = client(s);
  try {
    let acc: LargestObject = { objects: 0, largestBytes: 0, largestKey: '' };
    for await (const o of listAll(s3, bucket, prefix)) acc = pick(acc, o.Key ?? '', o.Size ?? 0);
    if (acc.objects === 0) throw new Error(`no objects under s3://${bucket}/${prefix}`);
    return acc;
  } finally {
    s3.destroy();
  }
}

/** location: "s3://BUCKET/PREFIX" (MinIO from the environment) or a directory. */
export function largestObject(location: string): Promise<LargestObject> {
  const m = /^s3:\/\/([^/]+)\/(.*)$/.exec(location);
  if (!m) return Promise.resolve().then(() => largestFile(location));
  return largestS3Object(s3SettingsFromEnv(), m[1]!, m[2]!);
}
