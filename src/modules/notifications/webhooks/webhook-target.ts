import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { NotificationsErrorCode, NotificationsException } from '../notifications.exception.js';
import { isPrivateAddress } from './private-address.js';

const MAX_URL_LENGTH = 2048;

function refuse(reason: string): never {
  throw new NotificationsException(NotificationsErrorCode.WEBHOOK_URL_REFUSED, `url: ${reason}`, 'url');
}

function bareHost(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, '').replace(/\.$/, '').toLowerCase();
}

function isLocalName(host: string): boolean {
  return host === 'localhost' || host.endsWith('.localhost') || host === 'localhost.localdomain';
}

/**
 * Checks what can be checked without the network: an absolute http(s) URL, no credentials, and
 * (unless private targets are allowed) not localhost or a private/reserved IP literal.
 */
export function parseWebhookUrl(raw: string, allowPrivate: boolean): URL {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > MAX_URL_LENGTH) refuse(`must be an http(s) URL of at most ${MAX_URL_LENGTH} characters`);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    refuse('is not a valid URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') refuse('only http and https URLs are allowed');
  if (url.username || url.password) refuse('must not contain credentials (the signature authenticates the sender)');
  if (url.hash) refuse('must not contain a fragment');
  const host = bareHost(url);
  if (!host) refuse('has no host');
  if (!allowPrivate) {
    if (isLocalName(host)) refuse('localhost is not allowed (set WEBHOOK_ALLOW_PRIVATE=true to allow private targets)');
    if (isIP(host) !== 0 && isPrivateAddress(host)) refuse(`${host} is a private or reserved address (set WEBHOOK_ALLOW_PRIVATE=true to allow it)`);
  }
  return url;
}

/**
 * A `lookup` for `http.request` that refuses private and reserved addresses: the check applies to
 * the very address the connection uses, so a DNS answer that changes between the check and the
 * connection (rebinding) cannot reach an internal host.
 */
export function guardedLookup(allowPrivate: boolean): LookupFunction {
  return ((hostname: string, options: { all?: boolean; family?: number }, callback: (...args: unknown[]) => void) => {
    dnsLookup(hostname, { all: true, family: options?.family ?? 0 }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err);
      if (!addresses || addresses.length === 0) return callback(Object.assign(new Error(`${hostname} did not resolve`), { code: 'ENOTFOUND' }));
      if (!allowPrivate) {
        const blocked = addresses.find((a) => isPrivateAddress(a.address));
        if (blocked) {
          return callback(Object.assign(new Error(`${hostname} resolves to a private or reserved address`), { code: 'EPRIVATETARGET' }));
        }
      }
      if (options?.all) return callback(null, addresses);
      const first = addresses[0]!;
      return callback(null, first.address, first.family);
    });
  }) as LookupFunction;
}

/** Resolves the host now and refuses private answers (when the endpoint is set, for a clear 400). */
export async function assertPublicTarget(url: URL, allowPrivate: boolean): Promise<void> {
  if (allowPrivate) return;
  const host = bareHost(url);
  if (isIP(host) !== 0) return; // literals were checked by parseWebhookUrl
  const lookup = guardedLookup(false);
  await new Promise<void>((resolve, reject) => {
    lookup(host, { all: true }, (err: NodeJS.ErrnoException | null) => {
      if (!err) return resolve();
      reject(
        new NotificationsException(
          NotificationsErrorCode.WEBHOOK_URL_REFUSED,
          err.code === 'EPRIVATETARGET' ? `url: ${err.message} (set WEBHOOK_ALLOW_PRIVATE=true to allow it)` : `url: ${host} does not resolve`,
          'url',
        ),
      );
    });
  });
}
