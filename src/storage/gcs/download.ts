// Object downloads (GET .../o/<name>?alt=media), done here with node:http(s) on the backend's
// agents instead of file.download(): the SDK reads bodies through node-fetch 2.7.0, which pipes the
// response without forwarding its errors, so a connection cut in the middle of a body (the server
// restarting, a proxy dropping it) leaves file.download() pending forever (seen through toxiproxy;
// node-fetch only detects this for chunked responses, and GCS sends Content-Length). Here a cut
// body, a short body and a silent connection (no byte for idleTimeoutMs) all fail, retryably.
//
// Whole-object reads are checked against the CRC32C in x-goog-hash, as the SDK would.
// Failures are thrown raw (HTTP status as a numeric `code`, socket errors as they come);
// backend.ts classifies them like SDK errors.

import http from 'node:http';
import https from 'node:https';
import { crc32c } from '@node-rs/crc32';
import type { GcsAgents } from './http-pool.js';

export interface DownloadRequest {
  /** The object's media URL. */
  url: URL;
  /** Authorization headers, or none for an unauthenticated endpoint (emulator). */
  headers: Record<string, string>;
  agents: GcsAgents;
  /** [start, end) of the object; undefined for all of it. */
  range?: { start: number; end: number };
  idleTimeoutMs: number;
}

export function mediaUrl(apiEndpoint: string, bucket: string, name: string): URL {
  return new URL(`${apiEndpoint}/storage/v1/b/${encodeURIComponent(bucket)}/o/${encodeURIComponent(name)}?alt=media`);
}

function failure(message: string, code: string | number): Error {
  return Object.assign(new Error(message), { code });
}

export function download(request: DownloadRequest): Promise<Buffer> {
  const { url, range } = request;
  const secure = url.protocol === 'https:';
  const headers: Record<string, string> = { ...request.headers, 'accept-encoding': 'identity' };
  if (range !== undefined) headers.range = `bytes=${range.start}-${range.end - 1}`;
  return new Promise((resolve, reject) => {
    const options = { method: 'GET', headers, agent: secure ? request.agents.https : request.agents.http };
    const req = (secure ? https : http).request(url, options, (res) => {
      const status = res.statusCode ?? 0;
      const length = Number(res.headers['content-length']);
      const known = Number.isSafeInteger(length) && length >= 0;
      const chunks: Buffer[] = [];
      let received = 0;
      let done = false;
      res.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        received += chunk.length;
      });
      res.on('end', () => {
        done = true;
        const body = Buffer.concat(chunks, received);
        if (status !== 200 && status !== 206) return reject(httpError(status, body));
        if (known && received !== length) {
          return reject(failure(`body ended after ${received} of ${length} bytes`, 'ERR_STREAM_PREMATURE_CLOSE'));
        }
        const mismatch = status === 200 ? checksumProblem(res.headers, body) : undefined;
        if (mismatch !== undefined) return reject(failure(mismatch, 'CONTENT_DOWNLOAD_MISMATCH'));
        resolve(body);
      });
      res.on('error', (err) => reject(err));
      res.on('close', () => {
        if (!done) reject(failure(`connection closed after ${received} bytes of the body`, 'ERR_STREAM_PREMATURE_CLOSE'));
      });
    });
    req.setTimeout(request.idleTimeoutMs, () => {
      req.destroy(failure(`no data from ${url.host} for ${request.idleTimeoutMs / 1000} s`, 'ETIMEDOUT'));
    });
    req.on('error', reject);
    req.end();
  });
}

/** An error carrying the status and the server's message (JSON API error, XML or text). */
function httpError(status: number, body: Buffer): Error {
  const text = body.subarray(0, 4096).toString('utf8').trim();
  let message = text;
  try {
    const parsed = JSON.parse(text) as { error?: { message?: unknown } };
    if (typeof parsed.error?.message === 'string') message = parsed.error.message;
  } catch {
    const xml = /<Message>([^<]*)<\/Message>/.exec(text);
    if (xml?.[1] !== undefined) message = xml[1];
  }
  return failure(message === '' ? `HTTP ${status}` : message, status);
}

/** undefined when the CRC32C matches or cannot be checked (no hash, or a transcoded body). */
function checksumProblem(headers: http.IncomingHttpHeaders, body: Buffer): string | undefined {
  const stored = headers['x-goog-stored-content-encoding'];
  if (stored !== undefined && stored !== 'identity') return undefined;
  const hash = [headers['x-goog-hash']].flat().join(',');
  const expected = /crc32c=([A-Za-z0-9+/=]+)/.exec(hash)?.[1];
  if (expected === undefined) return undefined;
  const want = Buffer.from(expected, 'base64');
  if (want.length !== 4) return undefined;
  const got = crc32c(body) >>> 0;
  return got === want.readUInt32BE(0) ? undefined : `CRC32C of the ${body.length} bytes received does not match the object's`;
}
