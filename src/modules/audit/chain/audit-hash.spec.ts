import { describe, expect, it } from 'vitest';
import { canonicalJson, GENESIS_HASH, legacyChainHash, linkHash } from './audit-hash.js';

const row = {
  id: '6f1c1a52-64b4-4c57-9d0a-0a0f1f0f0f0f',
  tenant_id: null,
  event_type: 'api.request',
  entity_type: null,
  entity_id: null,
  actor: 'admin',
  payload: { b: [2, { d: 1, c: 'x' }], a: 'ü' },
  correlation_id: 'c-1',
  created_at: '2031-07-07T08:00:00.123456Z',
};

describe('canonicalJson', () => {
  it('sorts keys at every depth, keeps array order, has no whitespace', () => {
    expect(canonicalJson({ b: 1, a: { z: [3, 1], y: null } })).toBe('{"a":{"y":null,"z":[3,1]},"b":1}');
  });

  it('is independent of key insertion order', () => {
    expect(canonicalJson({ x: 1, y: { p: 1, q: 2 } })).toBe(canonicalJson({ y: { q: 2, p: 1 }, x: 1 }));
  });
});

describe('legacyChainHash', () => {
  it('is sha256 over prev_hash followed by the canonical content', async () => {
    const { createHash } = await import('node:crypto');
    const expected = createHash('sha256')
      .update(GENESIS_HASH + canonicalJson({ ...row }))
      .digest('hex');
    expect(legacyChainHash(GENESIS_HASH, row)).toBe(expected);
  });

  it('changes when any content field, or the previous hash, changes', () => {
    const base = legacyChainHash(GENESIS_HASH, row);
    expect(legacyChainHash('1'.repeat(64), row)).not.toBe(base);
    expect(legacyChainHash(GENESIS_HASH, { ...row, actor: 'key:x' })).not.toBe(base);
    expect(legacyChainHash(GENESIS_HASH, { ...row, payload: { ...row.payload, a: 'u' } })).not.toBe(base);
    expect(legacyChainHash(GENESIS_HASH, { ...row, created_at: '2031-07-07T08:00:00.123457Z' })).not.toBe(base);
    expect(legacyChainHash(GENESIS_HASH, { ...row, tenant_id: '00000000-0000-0000-0000-000000000001' })).not.toBe(base);
  });

  it('ignores columns that are not content (seq, chain columns)', () => {
    const withExtras = { ...row, seq: '42', chain_seq: '7', hash: 'h', prev_hash: 'p' } as typeof row;
    expect(legacyChainHash(GENESIS_HASH, withExtras)).toBe(legacyChainHash(GENESIS_HASH, row));
  });
});

describe('linkHash', () => {
  it('is sha256 over prev_hash followed by the content text, as PostgreSQL computes it in audit_seal', async () => {
    const { createHash } = await import('node:crypto');
    const content = '{"id": "6f1c1a52-64b4-4c57-9d0a-0a0f1f0f0f0f", "actor": "admin", "payload": {"a": "ü"}}';
    expect(linkHash(GENESIS_HASH, content)).toBe(createHash('sha256').update(GENESIS_HASH + content, 'utf8').digest('hex'));
    expect(linkHash('1'.repeat(64), content)).not.toBe(linkHash(GENESIS_HASH, content));
  });
});
