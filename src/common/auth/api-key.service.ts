import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/app-config.js';
import type { Principal } from './principal.js';

const CACHE_TTL_MS = 30_000;
const KEY_SHAPE = /^sk_([A-Za-z0-9]{12})_([A-Za-z0-9_-]{20,64})$/;

function sha256(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

/**
 * Tenant API keys are stored hashed (sha256 of the whole key), looked up by a public prefix.
 * Verified keys are cached briefly so a request does not cost a database round trip.
 */
@Injectable()
export class ApiKeyService {
  private readonly adminHash: Buffer;
  private readonly cache = new Map<string, { principal: Principal | null; expires: number }>();

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @InjectDataSource() private readonly db: DataSource,
  ) {
    this.adminHash = sha256(config.adminApiKey);
  }

  /** Creates a key for a tenant inside the caller's transaction; the plain key is returned once. */
  async issueTenantKey(manager: EntityManager, tenantId: string, label = 'default'): Promise<{ id: string; key: string }> {
    const prefix = randomBytes(9).toString('base64url').replace(/[^A-Za-z0-9]/g, 'x').slice(0, 12);
    const key = `sk_${prefix}_${randomBytes(24).toString('base64url')}`;
    const rows: { id: string }[] = await manager.query(
      `INSERT INTO api_keys (tenant_id, key_prefix, key_hash, label) VALUES ($1, $2, $3, $4) RETURNING id`,
      [tenantId, prefix, sha256(key).toString('hex'), label],
    );
    return { id: rows[0]!.id, key };
  }

  async resolve(token: string | undefined): Promise<Principal | null> {
    if (!token || token.length > 200) return null;
    const hash = sha256(token);
    if (timingSafeEqual(hash, this.adminHash)) return { kind: 'admin', actor: 'admin' };
    const m = KEY_SHAPE.exec(token);
    if (!m) return null;
    const cacheKey = hash.toString('hex');
    const hit = this.cache.get(cacheKey);
    const now = Date.now();
    if (hit && hit.expires > now) return hit.principal;
    const rows: { id: string; tenant_id: string; key_hash: string }[] = await this.db.query(
      `SELECT id, tenant_id, key_hash FROM api_keys WHERE key_prefix = $1 AND revoked_at IS NULL`,
      [m[1]],
    );
    const row = rows[0];
    const principal: Principal | null =
      row && timingSafeEqual(Buffer.from(row.key_hash, 'hex'), hash)
        ? { kind: 'tenant', tenantId: row.tenant_id, keyId: row.id, actor: `key:${row.id}` }
        : null;
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(cacheKey, { principal, expires: now + CACHE_TTL_MS });
    return principal;
  }
}
