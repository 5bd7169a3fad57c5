// Authentication and configuration: every way to sign requests that the config offers, and the
// messages a user sees when credentials are wrong, a SAS lacks permissions, the container does not
// exist, or the config combines keys that exclude each other.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ContainerSASPermissions, generateBlobSASQueryParameters, StorageSharedKeyCredential } from '@azure/storage-blob';
import { isKafkaBackupError, type ErrorCode } from '../../../src/errors.js';
import { createAzureBackend } from '../../../src/storage/azure/backend.js';
import { accountFromEndpoint, blobEndpoint } from '../../../src/storage/azure/client.js';
import type { StorageBackend } from '../../../src/storage/backend.js';
import { listAll } from '../../conformance/storage-backend.suite.js';
import { accountKey, accountName, azureConfig, connectionString, endpoint, freshContainer, type FreshContainer } from './helpers.js';

async function rejectsWith(promise: Promise<unknown>, code: ErrorCode, ...patterns: RegExp[]): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(isKafkaBackupError(err), `expected a KafkaBackupError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    for (const pattern of patterns) assert.match(err.message, pattern);
    return true;
  });
}

function throwsWith(make: () => unknown, code: ErrorCode, pattern: RegExp): void {
  assert.throws(make, (err: unknown) => isKafkaBackupError(err, code) && pattern.test(err.message));
}

function sas(container: string, permissions: string): string {
  const credential = new StorageSharedKeyCredential(accountName(), accountKey());
  const values = { containerName: container, permissions: ContainerSASPermissions.parse(permissions), expiresOn: new Date(Date.now() + 3_600_000) };
  return generateBlobSASQueryParameters(values, credential).toString();
}

async function roundTrip(backend: StorageBackend): Promise<void> {
  try {
    const info = await backend.put('auth/obj', Buffer.from('signed'));
    assert.deepEqual(await backend.head('auth/obj'), info);
    assert.equal((await backend.get('auth/obj')).toString(), 'signed');
    assert.deepEqual((await listAll(backend, 'auth/')).map((o) => o.key), ['auth/obj']);
    await backend.delete('auth/obj');
  } finally {
    await backend.close();
  }
}

describe('Azure backend credentials and config', () => {
  let container: FreshContainer;
  before(async () => {
    container = await freshContainer();
  });
  after(async () => container.remove());

  test('connection_string, account_key (account from the endpoint) and sas_token all sign requests', async () => {
    await roundTrip(createAzureBackend(azureConfig({ container: container.name, connection_string: connectionString() })));
    await roundTrip(createAzureBackend(azureConfig({ container: container.name, endpoint: endpoint(), account_key: accountKey() })));
    const token = sas(container.name, 'racwdl');
    for (const sasToken of [token, `?${token}`]) {
      const backend = createAzureBackend(azureConfig({ container: container.name, endpoint: endpoint(), sas_token: sasToken }));
      assert.equal(backend.location, `azure://${accountName()}/${container.name}`, 'the SAS is not part of the location');
      await roundTrip(backend);
    }
  });

  test('a wrong account key: STORAGE_PERMISSION naming Azure, the container and the keys to check', async () => {
    const wrongKey = Buffer.alloc(64, 7).toString('base64');
    const backend = createAzureBackend(azureConfig({ container: container.name, endpoint: endpoint(), account_key: wrongKey }));
    try {
      for (const call of [() => backend.put('x', Buffer.from('x')), () => backend.get('x'), () => backend.head('x'), () => listAll(backend, '')]) {
        await rejectsWith(call(), 'STORAGE_PERMISSION', /Azure Blob/, new RegExp(`container "${container.name}"`), /account_key/);
      }
    } finally {
      await backend.close();
    }
  });

  test('a read-only SAS: reads work, a write is STORAGE_PERMISSION', async () => {
    const writer = createAzureBackend(azureConfig({ container: container.name, connection_string: connectionString() }));
    await writer.put('ro/obj', Buffer.from('readable'));
    await writer.close();
    const backend = createAzureBackend(azureConfig({ container: container.name, endpoint: endpoint(), sas_token: sas(container.name, 'rl') }));
    try {
      assert.equal((await backend.get('ro/obj')).toString(), 'readable');
      await rejectsWith(backend.put('ro/new', Buffer.from('x')), 'STORAGE_PERMISSION', /Azure Blob refused writing "ro\/new"/, /sas_token|permission/);
    } finally {
      await backend.close();
    }
  });

  test('a missing container: STORAGE_NOT_FOUND saying the container does not exist, for every call', async () => {
    const missing = `kb-missing-${Date.now()}`;
    const backend = createAzureBackend(azureConfig({ container: missing, connection_string: connectionString(), block_size: '1MiB' }));
    try {
      const writer = backend.createWriter('seg/big');
      const calls = [
        () => backend.put('x', Buffer.from('x')),
        () => backend.get('x'),
        () => backend.head('x'), // not "undefined": the container's absence is an error, not a missing object
        () => backend.delete('x'),
        () => listAll(backend, ''),
        () => backend.createWriter('seg/small').finish(),
        () => writer.write(Buffer.alloc(3 * 1024 * 1024)).then(() => writer.finish()),
      ];
      for (const call of calls) await rejectsWith(call(), 'STORAGE_NOT_FOUND', new RegExp(`container "${missing}" of account "${accountName()}" does not exist`));
    } finally {
      await backend.close();
    }
  });

  test('DefaultAzureCredential without an identity: STORAGE_PERMISSION explaining which keys to set', async () => {
    // https to a closed port: the token is requested (and fails) before any connection is made.
    const backend = createAzureBackend(azureConfig({ container: container.name, endpoint: 'https://127.0.0.1:9/devstoreaccount1' }));
    try {
      await rejectsWith(backend.head('x'), 'STORAGE_PERMISSION', /DefaultAzureCredential/, /account_key, sas_token or connection_string/);
    } finally {
      await backend.close();
    }
  });

  test('config: endpoint defaults from account_name; conflicting or missing keys are CONFIG_INVALID', async () => {
    assert.equal(blobEndpoint({ account_name: 'acct' }), 'https://acct.blob.core.windows.net');
    assert.equal(blobEndpoint({ account_name: 'acct', endpoint: 'https://acct.blob.core.chinacloudapi.cn' }), 'https://acct.blob.core.chinacloudapi.cn');
    assert.equal(accountFromEndpoint('https://acct.blob.core.windows.net/'), 'acct');
    assert.equal(accountFromEndpoint('http://127.0.0.1:10000/devstoreaccount1'), 'devstoreaccount1');
    const lazy = createAzureBackend(azureConfig({ container: 'cont', account_name: 'acct', prefix: 'p' }));
    assert.equal(lazy.location, 'azure://acct/cont/p', 'DefaultAzureCredential is only created on the first request');
    await lazy.close();

    const base = { container: 'cont' };
    throwsWith(() => createAzureBackend(azureConfig(base)), 'CONFIG_INVALID', /account_name/);
    throwsWith(() => createAzureBackend(azureConfig({ ...base, connection_string: connectionString(), account_key: accountKey() })), 'CONFIG_INVALID', /exclude each other/);
    throwsWith(() => createAzureBackend(azureConfig({ ...base, account_name: 'a', account_key: accountKey(), sas_token: 'sv=x' })), 'CONFIG_INVALID', /exclude each other/);
    throwsWith(() => createAzureBackend(azureConfig({ ...base, connection_string: connectionString(), endpoint: endpoint() })), 'CONFIG_INVALID', /remove endpoint/);
    throwsWith(() => createAzureBackend(azureConfig({ ...base, endpoint: endpoint() })), 'CONFIG_INVALID', /DefaultAzureCredential.*https/);
    throwsWith(() => createAzureBackend(azureConfig({ ...base, connection_string: 'not a connection string' })), 'CONFIG_INVALID', /connection_string/);
  });
});
