import { describe, expect, it } from 'vitest';
import { isPrivateAddress } from './private-address.js';
import { guardedLookup, parseWebhookUrl } from './webhook-target.js';

describe('isPrivateAddress', () => {
  it('refuses loopback, private, link-local, CGNAT, multicast and reserved IPv4', () => {
    for (const ip of ['127.0.0.1', '127.255.0.9', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '224.0.0.1', '255.255.255.255', '198.18.0.1']) {
      expect(isPrivateAddress(ip), ip).toBe(true);
    }
  });

  it('refuses loopback, unique-local, link-local and IPv4-mapped private IPv6', () => {
    for (const ip of ['::1', '::', 'fd00::1', 'fc12:3456::1', 'fe80::1%eth0', '::ffff:127.0.0.1', '::ffff:7f00:1', '::ffff:a00:1', '64:ff9b::a9fe:a9fe', 'ff02::1', '[::1]']) {
      expect(isPrivateAddress(ip), ip).toBe(true);
    }
  });

  it('lets public addresses through', () => {
    for (const ip of ['93.184.215.14', '8.8.8.8', '172.32.0.1', '192.169.0.1', '2606:2800:21f:cb07:6820:80da:af6b:8b2c', '::ffff:8.8.8.8']) {
      expect(isPrivateAddress(ip), ip).toBe(false);
    }
  });

  it('treats a non-address as private (refused)', () => {
    expect(isPrivateAddress('example.com')).toBe(true);
  });
});

describe('parseWebhookUrl', () => {
  it('accepts public http(s) URLs', () => {
    expect(parseWebhookUrl('https://hooks.example.com/in?x=1', false).host).toBe('hooks.example.com');
    expect(parseWebhookUrl('http://93.184.215.14:8080/hook', false).port).toBe('8080');
  });

  it('refuses other schemes, credentials and garbage', () => {
    for (const u of ['ftp://example.com/', 'file:///etc/passwd', 'javascript:alert(1)', 'https://user:pw@example.com/', 'not a url', '']) {
      expect(() => parseWebhookUrl(u, true), u).toThrow(/url:/);
    }
  });

  it('refuses localhost and private literals, however they are spelled, unless private targets are allowed', () => {
    for (const u of ['http://localhost:3000/', 'http://LOCALHOST./x', 'http://api.localhost/', 'http://127.1/', 'http://2130706433/', 'http://0x7f.0.0.1/', 'http://[::1]:8080/', 'http://[::ffff:127.0.0.1]/', 'http://10.0.0.5/', 'http://169.254.169.254/latest/meta-data']) {
      expect(() => parseWebhookUrl(u, false), u).toThrow(/WEBHOOK_ALLOW_PRIVATE/);
      expect(parseWebhookUrl(u, true).protocol).toMatch(/^http/);
    }
  });

  it('refuses a name that resolves to a private address at connection time', async () => {
    const lookup = guardedLookup(false);
    const err = await new Promise<NodeJS.ErrnoException | null>((resolve) => lookup('localhost', { all: true }, (e) => resolve(e)));
    expect(err?.code).toBe('EPRIVATETARGET');
    const ok = await new Promise<unknown>((resolve) => guardedLookup(true)('localhost', {}, (e, address) => resolve(e ?? address)));
    expect(typeof ok).toBe('string');
  });
});
