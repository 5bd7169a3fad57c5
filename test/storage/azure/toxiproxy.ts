// A minimal client of toxiproxy's HTTP API (KB_TEST_TOXIPROXY): one proxy in front of Azurite that
// a test can cut off (disable: open connections are closed, new ones refused) and slow down.

import { randomBytes } from 'node:crypto';
import { endpoint, requireEnv } from './helpers.js';

export class AzuriteProxy {
  private constructor(
    readonly name: string,
    /** The Azurite endpoint URL with the proxy's host and port. */
    readonly endpoint: string,
  ) {}

  static async create(): Promise<AzuriteProxy> {
    const upstream = new URL(endpoint());
    const name = `azure-${randomBytes(4).toString('hex')}`;
    const body = { name, listen: '127.0.0.1:0', upstream: upstream.host, enabled: true };
    const created = (await api('POST', '/proxies', body)) as { listen: string };
    const url = new URL(upstream);
    url.host = created.listen;
    return new AzuriteProxy(name, url.toString().replace(/\/$/, ''));
  }

  async setEnabled(enabled: boolean): Promise<void> {
    await api('POST', `/proxies/${this.name}`, { enabled });
  }

  /** Limits the bytes/s in one direction ('downstream': server to client). */
  async slow(stream: 'upstream' | 'downstream', kilobytesPerSecond: number): Promise<void> {
    await api('POST', `/proxies/${this.name}/toxics`, { name: `slow-${stream}`, type: 'bandwidth', stream, attributes: { rate: kilobytesPerSecond } });
  }

  async unslow(stream: 'upstream' | 'downstream'): Promise<void> {
    await api('DELETE', `/proxies/${this.name}/toxics/slow-${stream}`);
  }

  /** Cuts the server off for `ms`, starting after `afterMs`; resolves once it is reachable again. */
  async outage(afterMs: number, ms: number): Promise<void> {
    await sleep(afterMs);
    await this.setEnabled(false);
    await sleep(ms);
    await this.setEnabled(true);
  }

  async remove(): Promise<void> {
    await api('DELETE', `/proxies/${this.name}`);
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function api(method: string, path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(new URL(path, requireEnv('KB_TEST_TOXIPROXY')), {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`toxiproxy ${method} ${path}: ${response.status} ${text}`);
  return text === '' ? undefined : JSON.parse(text);
}
