// MinIO access for the S3 backend tests: the endpoint from test/infra/stores.sh (KB_TEST_S3_*),
// fresh buckets, an admin client that sees the bucket as it is, and toxiproxy's HTTP API.
// A missing variable fails the test (never a skip): run with `npm test` or source stores.env.

import { randomBytes } from 'node:crypto';
import {
  AbortMultipartUploadCommand,
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import { s3StorageSchema, type S3StorageConfig } from '../../../src/config/schema-storage.js';

export function requireEnv(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') {
    throw new Error(`${name} is not set: run with npm test, or start test/infra/stores.sh and source its stores.env`);
  }
  return value;
}

export function s3Env(): { endpoint: string; accessKey: string; secretKey: string; region: string } {
  return {
    endpoint: requireEnv('KB_TEST_S3_ENDPOINT'),
    accessKey: requireEnv('KB_TEST_S3_ACCESS_KEY'),
    secretKey: requireEnv('KB_TEST_S3_SECRET_KEY'),
    region: requireEnv('KB_TEST_S3_REGION'),
  };
}

/** A parsed config (schema defaults applied) for the emulator; overrides win. */
export function s3Config(bucket: string, overrides: Record<string, unknown> = {}): S3StorageConfig {
  const env = s3Env();
  return s3StorageSchema.parse({
    backend: 's3',
    bucket,
    endpoint: env.endpoint,
    region: env.region,
    path_style: true,
    access_key_id: env.accessKey,
    secret_access_key: env.secretKey,
    ...overrides,
  });
}

export function adminClient(endpoint = s3Env().endpoint): S3Client {
  const env = s3Env();
  return new S3Client({
    endpoint,
    region: env.region,
    forcePathStyle: true,
    credentials: { accessKeyId: env.accessKey, secretAccessKey: env.secretKey },
  });
}

export function uniqueBucketName(): string {
  return `kb-s3-${process.pid}-${randomBytes(5).toString('hex')}`;
}

export interface TestBucket {
  bucket: string;
  admin: S3Client;
  /** Every object name in the bucket, sorted. */
  names(): Promise<string[]>;
  /** Object names of unfinished multipart uploads. */
  uploads(): Promise<string[]>;
  /** Deletes objects, unfinished uploads and the bucket. */
  remove(): Promise<void>;
}

export async function createBucket(): Promise<TestBucket> {
  const admin = adminClient();
  const bucket = uniqueBucketName();
  await admin.send(new CreateBucketCommand({ Bucket: bucket }));
  const names = async (): Promise<string[]> => {
    const all: string[] = [];
    let token: string | undefined;
    do {
      const page = await admin.send(new ListObjectsV2Command({ Bucket: bucket, ...(token === undefined ? {} : { ContinuationToken: token }) }));
      for (const o of page.Contents ?? []) if (o.Key !== undefined) all.push(o.Key);
      token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
    return all.sort();
  };
  const listUploads = async () => (await admin.send(new ListMultipartUploadsCommand({ Bucket: bucket }))).Uploads ?? [];
  return {
    bucket,
    admin,
    names,
    uploads: async () => (await listUploads()).map((u) => u.Key ?? '').sort(),
    remove: async () => {
      for (const u of await listUploads()) {
        await admin.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: u.Key, UploadId: u.UploadId }));
      }
      const all = await names();
      for (let i = 0; i < all.length; i += 1000) {
        const batch = all.slice(i, i + 1000).map((Key) => ({ Key }));
        await admin.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: batch, Quiet: true } }));
      }
      await admin.send(new DeleteBucketCommand({ Bucket: bucket }));
      admin.destroy();
    },
  };
}

/** toxiproxy's HTTP API (KB_TEST_TOXIPROXY): a proxy in front of MinIO that tests can cut. */
export class Toxiproxy {
  readonly #api = requireEnv('KB_TEST_TOXIPROXY');
  readonly name = `kb-s3-${process.pid}-${randomBytes(4).toString('hex')}`;
  /** http://127.0.0.1:<port> of the proxy, once created. */
  endpoint = '';

  async create(): Promise<void> {
    const upstream = new URL(s3Env().endpoint).host;
    const created = (await this.#call('POST', '/proxies', { name: this.name, listen: '127.0.0.1:0', upstream, enabled: true })) as {
      listen: string;
    };
    this.endpoint = `http://${created.listen}`;
  }

  async setEnabled(enabled: boolean): Promise<void> {
    await this.#call('POST', `/proxies/${this.name}`, { enabled });
  }

  /** Adds a toxic, e.g. ('bandwidth', 'downstream', { rate: 1024 }) in KB/s. */
  async addToxic(type: string, stream: 'upstream' | 'downstream', attributes: Record<string, number>): Promise<string> {
    const name = `${type}-${stream}`;
    await this.#call('POST', `/proxies/${this.name}/toxics`, { name, type, stream, attributes });
    return name;
  }

  async removeToxic(name: string): Promise<void> {
    await this.#call('DELETE', `/proxies/${this.name}/toxics/${name}`);
  }

  async remove(): Promise<void> {
    await this.#call('DELETE', `/proxies/${this.name}`);
  }

  async #call(method: string, path: string, body?: unknown): Promise<unknown> {
    const response = await fetch(`${this.#api}${path}`, {
      method,
      ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`toxiproxy ${method} ${path}: HTTP ${response.status} ${text}`);
    return text === '' ? undefined : (JSON.parse(text) as unknown);
  }
}
