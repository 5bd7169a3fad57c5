// The shared StorageBackend conformance suite against Azurite: once at the container root with a
// connection string, once under a config prefix with account_name + account_key + endpoint and
// 1 MiB blocks (so the streamed-upload checks commit many staged blocks). Each test gets its own
// container.

import { createAzureBackend } from '../../../src/storage/azure/backend.js';
import { defineStorageBackendSuite } from '../../conformance/storage-backend.suite.js';
import { accountKey, accountName, azureConfig, connectionString, endpoint, freshContainer } from './helpers.js';

defineStorageBackendSuite('azure (connection_string, no prefix)', async () => {
  const container = await freshContainer();
  const backend = createAzureBackend(azureConfig({ container: container.name, connection_string: connectionString() }));
  // The connection string names the blob endpoint; the account's key and name stay the same.
  const at = (server: string) => createAzureBackend(azureConfig({ container: container.name, account_name: accountName(), account_key: accountKey(), endpoint: `${server}/${accountName()}` }));
  return { backend, cleanup: container.remove, at };
}, { network: true });

defineStorageBackendSuite('azure (account_key, prefix "kafka/prod", 1 MiB blocks)', async () => {
  const container = await freshContainer();
  const config = azureConfig({
    container: container.name,
    prefix: 'kafka/prod',
    account_name: accountName(),
    account_key: accountKey(),
    endpoint: endpoint(),
    block_size: '1MiB',
    max_concurrent_uploads: 3,
  });
  return { backend: createAzureBackend(config), cleanup: container.remove, at: (server) => createAzureBackend({ ...config, endpoint: `${server}/${accountName()}` }) };
}, { network: true });
