import { randomBytes } from 'node:crypto';
import { client } from './http-client.js';

export interface TestTenant {
  id: string;
  slug: string;
  apiKey: string;
  resourceId: string;
  timezone: string;
}

const ALL_WEEK = { sun: [['00:00', '24:00']], mon: [['00:00', '24:00']], tue: [['00:00', '24:00']], wed: [['00:00', '24:00']], thu: [['00:00', '24:00']], fri: [['00:00', '24:00']], sat: [['00:00', '24:00']] };

/** A new tenant through the API; open around the clock unless told otherwise, so slot times are easy. */
export async function newTenant(baseUrl: string, adminKey: string, over: Record<string, unknown> = {}): Promise<TestTenant> {
  const slug = `t-${randomBytes(5).toString('hex')}`;
  const res = await client(baseUrl, adminKey).post('/api/tenants', { name: `Tenant ${slug}`, slug, timezone: 'UTC', slot_minutes: 30, business_hours: ALL_WEEK, ...over });
  if (res.status !== 201) throw new Error(`newTenant failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { id: res.body.id, slug, apiKey: res.body.api_key, resourceId: res.body.resource.id, timezone: res.body.timezone };
}

/** The start of a 30-minute slot `n` slots after a base time well in the future (UTC grid). */
export function slotAt(n: number, base = futureBase()): { start: string; end: string } {
  const start = new Date(base.getTime() + n * 30 * 60_000);
  return { start: start.toISOString(), end: new Date(start.getTime() + 30 * 60_000).toISOString() };
}

export function futureBase(daysAhead = 30): Date {
  const d = new Date(Date.now() + daysAhead * 86_400_000);
  d.setUTCHours(0, 0, 0, 0);
  return d;
}

let counter = 0;
export function newClient(): { client_name: string; client_email: string; client_phone: string } {
  counter++;
  const tag = `${randomBytes(3).toString('hex')}${counter}`;
  return { client_name: `Client ${tag}`, client_email: `client.${tag}@example.com`, client_phone: '+44 20 7946 0958' };
}
