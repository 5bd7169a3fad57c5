// Shared setup of the Azure backend tests: the Azurite address from test/infra/stores.sh (a test
// fails, never skips, when it is missing), a fresh container per test, configs parsed by the real
// schema, and a counting HTTP relay that sits between the backend and Azurite.

import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import { azureStorageSchema, type AzureStorageConfig } from '../../../src/config/schema-storage.js';

export const MiB = 1024 * 1024;

export function requireEnv(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') {
    throw new Error(`${name} is not set: start the emulators with test/infra/stores.sh (test/run.sh does) and source stores.env`);
  }
  return value;
}

export const connectionString = (): string => requireEnv('KB_TEST_AZURE_CONNECTION_STRING');
export const endpoint = (): string => requireEnv('KB_TEST_AZURE_ENDPOINT');

/** The account key inside the emulator's connection string. */
export function accountKey(): string {
  const match = /AccountKey=([^;]+)/.exec(connectionString());
  if (match?.[1] === undefined) throw new Error('KB_TEST_AZURE_CONNECTION_STRING has no AccountKey');
  return match[1];
}

/** The account name inside the emulator's connection string. */
export function accountName(): string {
  const match = /AccountName=([^;]+)/.exec(connectionString());
  if (match?.[1] === undefined) throw new Error('KB_TEST_AZURE_CONNECTION_STRING has no AccountName');
  return match[1];
}

/** A client with the SDK defaults, for setting up and inspecting what the backend stored. */
export function adminClient(): BlobServiceClient {
  return BlobServiceClient.fromConnectionString(connectionString());
}

export interface FreshContainer {
  name: string;
  client: ContainerClient;
  remove(): Promise<void>;
}

export async function freshContainer(): Promise<FreshContainer> {
  const name = `kb-${randomBytes(8).toString('hex')}`;
  const client = adminClient().getContainerClient(name);
  await client.create();
  return { name, client, remove: async () => void (await client.deleteIfExists()) };
}

/** A config as the config loader would produce it (defaults filled in by the schema). */
export function azureConfig(fields: Record<string, unknown>): AzureStorageConfig {
  return azureStorageSchema.parse({ backend: 'azure', ...fields });
}

export async function blobNames(container: ContainerClient): Promise<string[]> {
  const names: string[] = [];
  for await (const item of container.listBlobsFlat()) names.push(item.name);
  return names;
}

export interface RelayedRequest {
  method: string;
  /** The `comp` query parameter: 'block', 'blocklist', 'list'..., '' for none. */
  comp: string;
}

/**
 * An HTTP relay in front of Azurite that records every request and the most in flight at once.
 * Shared key signatures do not cover the Host header, so the backend can point at the relay.
 */
export class CountingRelay {
  readonly requests: RelayedRequest[] = [];
  inFlight = 0;
  maxInFlight = 0;
  connections = 0;
  maxConnections = 0;
  readonly #server: http.Server;
  readonly #upstream: URL;

  private constructor(upstream: string) {
    this.#upstream = new URL(upstream);
    this.#server = http.createServer((req, res) => this.#relay(req, res));
    this.#server.on('connection', (socket) => {
      this.connections++;
      this.maxConnections = Math.max(this.maxConnections, this.connections);
      socket.on('close', () => this.connections--);
    });
  }

  static async start(upstreamEndpoint: string): Promise<CountingRelay> {
    const relay = new CountingRelay(upstreamEndpoint);
    await new Promise<void>((resolve) => relay.#server.listen(0, '127.0.0.1', resolve));
    return relay;
  }

  /** The Azurite endpoint URL with the relay's port. */
  get endpoint(): string {
    const url = new URL(this.#upstream);
    url.port = String((this.#server.address() as AddressInfo).port);
    return url.toString().replace(/\/$/, '');
  }

  reset(): void {
    this.requests.length = 0;
    this.maxInFlight = this.inFlight;
    this.maxConnections = this.connections;
  }

  async stop(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #relay(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://relay');
    this.requests.push({ method: req.method ?? '', comp: url.searchParams.get('comp') ?? '' });
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    let done = false;
    const finished = (): void => {
      if (!done) this.inFlight--;
      done = true;
    };
    res.on('close', finished);
    const upstream = http.request(
      { host: this.#upstream.hostname, port: this.#upstream.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  }
}
