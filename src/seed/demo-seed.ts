import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ApiKeyService } from '../common/auth/api-key.service.js';
import { TenantService } from '../modules/booking/tenants/tenant.service.js';
import { SYSTEM_CONTEXT } from '../common/http/request-context.js';

export const DEMO_SLUG = 'demo';

export interface DemoSeed {
  tenantId: string;
  resourceId: string;
  apiKey: string;
  created: boolean;
}

/**
 * Idempotent: creates the demo tenant (with a resource and a key) once. The plain key is kept under
 * the data directory so later starts can print it; if it was lost, the old demo keys are revoked
 * and a new one is issued.
 */
export async function seedDemo(app: INestApplicationContext, dataDir: string): Promise<DemoSeed> {
  const tenants = app.get(TenantService);
  const db = app.get(DataSource);
  const keyFile = path.join(dataDir, 'demo-key');
  const existing = await tenants.findBySlug(DEMO_SLUG);
  if (!existing) {
    const r = await tenants.create({
      name: 'Demo Clinic',
      slug: DEMO_SLUG,
      timezone: 'Europe/Berlin',
      slot_minutes: 30,
      resource_name: 'Dr. Demo',
      business_hours: {
        mon: [['08:00', '18:00']], tue: [['08:00', '18:00']], wed: [['08:00', '18:00']],
        thu: [['08:00', '18:00']], fri: [['08:00', '18:00']], sat: [['09:00', '13:00']], sun: [],
      },
    }, SYSTEM_CONTEXT);
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(keyFile, JSON.stringify({ tenant_id: r.tenant.id, api_key: r.api_key }) + '\n', { mode: 0o600 });
    return { tenantId: r.tenant.id, resourceId: r.resource.id, apiKey: r.api_key, created: true };
  }
  const profile = await tenants.profile(existing.id);
  if (existsSync(keyFile)) {
    const saved = JSON.parse(readFileSync(keyFile, 'utf8')) as { tenant_id: string; api_key: string };
    if (saved.tenant_id === existing.id) {
      return { tenantId: existing.id, resourceId: profile.defaultResource.id, apiKey: saved.api_key, created: false };
    }
  }
  const keys = app.get(ApiKeyService);
  const apiKey = await db.transaction(async (m) => {
    await m.query(`UPDATE api_keys SET revoked_at = now() WHERE tenant_id = $1 AND label = 'default' AND revoked_at IS NULL`, [existing.id]);
    return (await keys.issueTenantKey(m, existing.id)).key;
  });
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(keyFile, JSON.stringify({ tenant_id: existing.id, api_key: apiKey }) + '\n', { mode: 0o600 });
  return { tenantId: existing.id, resourceId: profile.defaultResource.id, apiKey, created: false };
}
