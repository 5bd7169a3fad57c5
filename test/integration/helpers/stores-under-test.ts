// One object store as the fault tests see it: a fresh bucket or container (made by
// object-stores.ts), its storage section straight to the emulator and through a toxiproxy proxy,
// wrong-credential and missing-bucket variants, and a look at the stored keys through the store's
// own SDK (never through our backend). A backend added to faultBackends is covered by every fault
// and access test.
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { BlobServiceClient } from '@azure/storage-blob';
import { Storage } from '@google-cloud/storage';
import { tempDir, unique } from './env.js';
import { freshStorage } from './object-stores.js';
import type { ToxiProxy } from './toxiproxy.js';

export type FaultBackend = 's3' | 'azure' | 'gcs';
export const faultBackends: readonly FaultBackend[] = ['s3', 'azure', 'gcs'];

export type StorageSection = Record<string, unknown>;

export interface WrongCredentials {
  storage: StorageSection;
  /** The secret in `storage`, which no output may show. */
  secret: string;
  /** The config keys a message should point the user to. */
  hint: RegExp;
  close(): Promise<void>;
}

export interface StoreUnderTest {
  backend: FaultBackend;
  /** The bucket or container. */
  name: string;
  /** How the CLI names the backend in its messages. */
  label: RegExp;
  /** The URL a proxy in front of the store forwards to. */
  upstream: string;
  /** The storage section talking to the emulator directly. */
  direct: StorageSection;
  /** The same section with its endpoint replaced by the proxy's. */
  through(proxy: ToxiProxy): StorageSection;
  /** The section with credentials the store refuses. */
  wrongCredentials(): Promise<WrongCredentials>;
  /** The section naming a bucket or container that does not exist, and its name. */
  missing(): { storage: StorageSection; name: string };
  /** Whether some stored key satisfies `match` (every page listed through the store's SDK). */
  hasKey(match: (key: string) => boolean): Promise<boolean>;
  close(): void;
}

export async function openStoreUnderTest(backend: FaultBackend): Promise<StoreUnderTest> {
  const direct = await freshStorage(backend);
  switch (backend) {
    case 's3':
      return s3Store(direct);
    case 'azure':
      return azureStore(direct);
    case 'gcs':
      return gcsStore(direct);
  }
}

const missingName = (): string => unique('kb-missing').toLowerCase().slice(0, 40);
const done = async (): Promise<void> => undefined;

function s3Store(direct: StorageSection): StoreUnderTest {
  const bucket = String(direct.bucket);
  const endpoint = String(direct.endpoint);
  const client = new S3Client({
    endpoint,
    region: String(direct.region),
    forcePathStyle: true,
    credentials: { accessKeyId: String(direct.access_key_id), secretAccessKey: String(direct.secret_access_key) },
  });
  return {
    backend: 's3',
    name: bucket,
    label: /\bs3\b/i,
    upstream: endpoint,
    direct,
    through: (proxy) => ({ ...direct, endpoint: proxy.via(endpoint) }),
    wrongCredentials: async () => {
      const secret = `wrong-${randomBytes(12).toString('hex')}`;
      return { storage: { ...direct, secret_access_key: secret }, secret, hint: /secret_access_key/, close: done };
    },
    missing: () => {
      const name = missingName();
      return { storage: { ...direct, bucket: name }, name };
    },
    hasKey: async (match) => {
      let token: string | undefined;
      do {
        const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, ...(token === undefined ? {} : { ContinuationToken: token }) }));
        if ((page.Contents ?? []).some((o) => o.Key !== undefined && match(o.Key))) return true;
        token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
      } while (token !== undefined);
      return false;
    },
    close: () => client.destroy(),
  };
}

function azureStore(direct: StorageSection): StoreUnderTest {
  const container = String(direct.container);
  const connection = String(direct.connection_string);
  const blobEndpoint = /BlobEndpoint=([^;]+)/.exec(connection)?.[1];
  if (blobEndpoint === undefined) throw new Error('the Azurite connection string names no BlobEndpoint');
  const client = BlobServiceClient.fromConnectionString(connection).getContainerClient(container);
  return {
    backend: 'azure',
    name: container,
    label: /Azure Blob/,
    upstream: blobEndpoint,
    direct,
    // Shared-key signatures do not cover the host, so the same key works through the proxy.
    through: (proxy) => ({ ...direct, connection_string: connection.replace(`BlobEndpoint=${blobEndpoint}`, `BlobEndpoint=${proxy.via(blobEndpoint)}`) }),
    wrongCredentials: async () => {
      const secret = randomBytes(64).toString('base64');
      const storage = { ...direct, connection_string: connection.replace(/AccountKey=[^;]+/, `AccountKey=${secret}`) };
      return { storage, secret, hint: /account_key|connection_string/, close: done };
    },
    missing: () => {
      const name = missingName();
      return { storage: { ...direct, container: name }, name };
    },
    hasKey: async (match) => {
      for await (const blob of client.listBlobsFlat()) if (match(blob.name)) return true;
      return false;
    },
    close: () => undefined,
  };
}

function gcsStore(direct: StorageSection): StoreUnderTest {
  const bucket = String(direct.bucket);
  const endpoint = String(direct.endpoint);
  const client = new Storage({ apiEndpoint: endpoint, projectId: 'test', retryOptions: { autoRetry: false } });
  return {
    backend: 'gcs',
    name: bucket,
    label: /\bgcs\b/,
    upstream: endpoint,
    direct,
    through: (proxy) => ({ ...direct, endpoint: proxy.via(endpoint) }),
    wrongCredentials: () => refusedKeyFile(direct),
    missing: () => {
      const name = missingName();
      return { storage: { ...direct, bucket: name }, name };
    },
    hasKey: async (match) => (await client.bucket(bucket).getFiles())[0].some((f) => match(f.name)),
    close: () => undefined,
  };
}

/**
 * fake-gcs-server checks no credentials, and Google's token service is out of reach, so (as in
 * test/storage/gcs/specifics.test.ts) the key_file is a workload-identity key whose token exchange
 * goes to a local stand-in refusing it the way Google's STS does (400 invalid_grant). A key_file
 * makes the backend authenticate even against the emulator.
 */
async function refusedKeyFile(direct: StorageSection): Promise<WrongCredentials> {
  const sts = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'invalid_grant', error_description: 'The subject token is invalid.' }));
    });
  });
  await new Promise<void>((resolve) => sts.listen(0, '127.0.0.1', resolve));
  const dir = tempDir('gcs-key');
  const secret = `subject-token-${randomBytes(12).toString('hex')}`;
  writeFileSync(join(dir, 'subject-token'), secret);
  const keyFile = join(dir, 'key.json');
  writeFileSync(
    keyFile,
    JSON.stringify({
      type: 'external_account',
      audience: '//iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/providers/x',
      subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
      token_url: `http://127.0.0.1:${(sts.address() as AddressInfo).port}/v1/token`,
      credential_source: { file: join(dir, 'subject-token') },
    }),
  );
  const close = () => new Promise<void>((resolve) => sts.close(() => resolve()));
  return { storage: { ...direct, key_file: keyFile }, secret, hint: /key_file/, close };
}
