import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';

export interface HttpPostOptions {
  headers: Record<string, string>;
  lookup?: LookupFunction;
  signal: AbortSignal;
  timeoutMs: number;
  /** The response body is read up to this size (the rest is discarded). */
  maxResponseBytes?: number;
}

export interface HttpPostResult {
  status: number;
  body: string;
}

/**
 * One POST with node:http(s): a custom `lookup` (the private-address guard), an overall timeout, a
 * bounded response, and no redirects (a 3xx is just a status).
 */
export function httpPost(url: URL, body: string, opts: HttpPostOptions): Promise<HttpPostResult> {
  const client = url.protocol === 'https:' ? https : http;
  const max = opts.maxResponseBytes ?? 4096;
  return new Promise((resolve, reject) => {
    const req = client.request(
      url,
      {
        method: 'POST',
        headers: { ...opts.headers, 'content-length': String(Buffer.byteLength(body)) },
        lookup: opts.lookup,
        signal: AbortSignal.any([opts.signal, AbortSignal.timeout(opts.timeoutMs)]),
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          if (size < max) chunks.push(c.subarray(0, max - size));
          size += c.length;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
