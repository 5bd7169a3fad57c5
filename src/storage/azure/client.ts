// Builds the SDK client from the `azure` storage config (src/config/schema-storage.ts). Exactly one
// way to authenticate is used:
//   connection_string   BlobServiceClient.fromConnectionString (it names account, key or SAS, endpoint)
//   account_key         StorageSharedKeyCredential(account_name, account_key)
//   sas_token           AnonymousCredential, the token appended to the endpoint URL as its query
//   none of these       DefaultAzureCredential from @azure/identity, loaded on the first request
// The endpoint is `endpoint`, or https://<account_name>.blob.core.windows.net. Combinations that
// would silently ignore a key are CONFIG_INVALID.
//
// SDK retries are off (maxTries 1): the retry decorator (src/storage/retry.ts) owns retries of
// whole calls and the writer retries its blocks (writer.ts), so one layer decides, not two.

import {
  AnonymousCredential,
  BlobServiceClient,
  StorageSharedKeyCredential,
  type StoragePipelineOptions,
} from '@azure/storage-blob';
import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/identity';
import type { AzureStorageConfig } from '../../config/schema-storage.js';
import { KafkaBackupError } from '../../errors.js';
import { createPoolAgent, type PoolAgent } from './agent.js';

export interface AzureClient {
  service: BlobServiceClient;
  account: string;
  agent: PoolAgent;
  /** How requests are signed, for messages: 'connection_string', 'account_key', 'sas_token', 'DefaultAzureCredential'. */
  auth: string;
}

function invalid(message: string): KafkaBackupError {
  return new KafkaBackupError('CONFIG_INVALID', `storage (azure): ${message}`);
}

/** The account from a blob endpoint: <account>.blob.<suffix>, or the first path segment (Azurite, IP hosts). */
export function accountFromEndpoint(endpoint: string): string | undefined {
  const url = new URL(endpoint);
  const labels = url.hostname.split('.');
  if (labels[1] === 'blob' && labels[0] !== undefined && labels[0] !== '') return labels[0];
  const first = url.pathname.split('/')[1];
  return first === undefined || first === '' ? undefined : decodeURIComponent(first);
}

/** The blob service URL when no connection string is given: `endpoint`, or Azure's public one for account_name. */
export function blobEndpoint(config: Pick<AzureStorageConfig, 'endpoint' | 'account_name'>): string {
  return config.endpoint ?? `https://${config.account_name}.blob.core.windows.net`;
}

/** The connection string's blob endpoint protocol, which the pool agent must match. */
function connectionStringProtocol(connectionString: string): string {
  const fields = new Map<string, string>();
  for (const part of connectionString.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields.set(part.slice(0, eq).trim().toLowerCase(), part.slice(eq + 1).trim());
  }
  const explicit = fields.get('blobendpoint');
  if (explicit !== undefined && URL.canParse(explicit)) return new URL(explicit).protocol;
  if (fields.get('usedevelopmentstorage')?.toLowerCase() === 'true') return 'http:';
  return fields.get('defaultendpointsprotocol')?.toLowerCase() === 'http' ? 'http:' : 'https:';
}

/**
 * DefaultAzureCredential, constructed on the first token request: loading @azure/identity (MSAL)
 * costs startup time, and a config that never talks to Azure should not pay it.
 */
class LazyDefaultCredential implements TokenCredential {
  #inner: Promise<TokenCredential> | undefined;

  async getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> {
    this.#inner ??= import('@azure/identity').then((identity) => new identity.DefaultAzureCredential());
    return (await this.#inner).getToken(scopes, options);
  }
}

function checkCombination(config: AzureStorageConfig): void {
  const secrets = (['connection_string', 'account_key', 'sas_token'] as const).filter((k) => config[k] !== undefined);
  if (secrets.length > 1) throw invalid(`${secrets.join(' and ')} exclude each other: give one way to authenticate`);
  if (config.connection_string !== undefined) {
    const extra = (['account_name', 'endpoint'] as const).filter((k) => config[k] !== undefined);
    if (extra.length > 0) throw invalid(`connection_string already names the account and endpoint: remove ${extra.join(' and ')}`);
  }
}

export function createAzureClient(config: AzureStorageConfig): AzureClient {
  checkCombination(config);
  if (config.connection_string !== undefined) {
    const agent = createPoolAgent(connectionStringProtocol(config.connection_string), config.max_concurrency);
    let service: BlobServiceClient;
    try {
      service = BlobServiceClient.fromConnectionString(config.connection_string, pipelineOptions(agent));
    } catch (err) {
      agent.destroy();
      throw new KafkaBackupError('CONFIG_INVALID', `storage (azure): connection_string is not usable: ${(err as Error).message}`, { cause: err });
    }
    return { service, account: service.accountName, agent, auth: 'connection_string' };
  }

  if (config.endpoint === undefined && config.account_name === undefined) {
    throw invalid('set account_name (or endpoint, or connection_string): without one the blob service endpoint is unknown');
  }
  const endpoint = blobEndpoint(config);
  const account = config.account_name ?? accountFromEndpoint(endpoint) ?? new URL(endpoint).hostname;
  const agent = createPoolAgent(new URL(endpoint).protocol, config.max_concurrency);
  const options = pipelineOptions(agent);

  if (config.account_key !== undefined) {
    const credential = new StorageSharedKeyCredential(account, config.account_key);
    return { service: new BlobServiceClient(endpoint, credential, options), account, agent, auth: 'account_key' };
  }
  if (config.sas_token !== undefined) {
    const url = new URL(endpoint);
    const sas = config.sas_token.replace(/^\?/, '');
    url.search = url.search === '' ? sas : `${url.search.slice(1)}&${sas}`;
    return { service: new BlobServiceClient(url.toString(), new AnonymousCredential(), options), account, agent, auth: 'sas_token' };
  }
  if (new URL(endpoint).protocol !== 'https:') {
    throw invalid(`without account_key, sas_token or connection_string, DefaultAzureCredential is used, and Azure AD tokens are only sent over https, not to ${endpoint}`);
  }
  const credential = new LazyDefaultCredential();
  return { service: new BlobServiceClient(endpoint, credential, options), account, agent, auth: 'DefaultAzureCredential' };
}

/** See agent.ts for why `agent` is accepted here although StoragePipelineOptions does not declare it. */
function pipelineOptions(agent: PoolAgent): StoragePipelineOptions {
  const options: StoragePipelineOptions & { agent: PoolAgent } = { agent, retryOptions: { maxTries: 1 }, keepAliveOptions: { enable: true } };
  return options;
}
