import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobQueue } from '../src/modules/jobs/job-queue.service.js';
import { newClient, newTenant, slotAt, type TestTenant } from './support/builders.js';
import { client } from './support/http-client.js';
import { operations, opKey, type Operation } from './support/openapi-operations.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * The authorization matrix over every route of `/docs-json`: the cases are generated from the
 * OpenAPI document, so a new route is covered as soon as it is documented (and the OpenAPI test
 * makes sure every served route is). Only the public routes are left out, by name.
 */
const PUBLIC = ['GET /', 'GET /dashboard/{file}', 'GET /health', 'GET /metrics'];
const WRONG_KEYS = ['sk_AAAAAAAAAAAA_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb', 'not-a-key-at-all'];

interface Fixture {
  tenant: TestTenant;
  /** The objects a path id can name, by the collection in front of `{id}`. */
  ids: Record<string, string>;
}

let t: TestApp;
let doc: any;
let ops: Operation[];
let a: Fixture;
let b: Fixture;
let c: Fixture;

async function fixture(n: number): Promise<Fixture> {
  const tenant = await newTenant(t.url, t.adminKey);
  const api = client(t.url, tenant.apiKey);
  const apt = await api.post('/api/appointments', { tenant_id: tenant.id, ...slotAt(n), ...newClient() });
  const rule = await api.post('/api/policy-rules', { action: 'send_follow_up', effect: 'allow', priority: 1 });
  expect([apt.status, rule.status]).toEqual([201, 201]);
  const job = await t.app.get(JobQueue).enqueue('send_reminder', tenant.id, { n });
  return {
    tenant,
    ids: { '/api/tenants': tenant.id, '/api/appointments': apt.body.id, '/api/jobs': job.job!.id, '/api/policy-rules': rule.body.id },
  };
}

beforeAll(async () => {
  t = await startTestApp({ role: 'api', autonomyEnabled: true });
  doc = await (await fetch(`${t.url}/docs-json`)).json();
  ops = operations(doc);
  [a, b, c] = [await fixture(1), await fixture(2), await fixture(3)];
});
afterAll(async () => {
  await t?.close();
});

function resolve(schema: any): any {
  return schema?.$ref ? doc.components.schemas[schema.$ref.split('/').pop()] : schema;
}

/** A plausible value for a schema: its example, else its first enum value, else one of its type. */
function sample(schema: any): unknown {
  const s = resolve(schema);
  if (s.example !== undefined) return s.example;
  if (s.enum) return s.enum[0];
  if (s.default !== undefined) return s.default;
  switch (s.type) {
    case 'integer':
    case 'number':
      return s.minimum ?? 1;
    case 'boolean':
      return true;
    case 'array':
      return [];
    case 'object':
      return {};
    default:
      return s.format === 'uuid' ? randomUUID() : s.format === 'date-time' ? '2030-01-07T09:00:00Z' : 'x';
  }
}

/** The body: required fields, optional ones that have an example or an enum, and tenant_id = the target tenant. */
function bodyFor(o: Operation, target: Fixture): unknown {
  const schema = resolve(o.op.requestBody?.content?.['application/json']?.schema);
  if (!schema) return undefined;
  const body: Record<string, unknown> = {};
  for (const [name, prop] of Object.entries<any>(schema.properties ?? {})) {
    const p = resolve(prop);
    if (name === 'tenant_id') body[name] = target.tenant.id;
    else if ((schema.required ?? []).includes(name) || p.example !== undefined || p.enum) body[name] = sample(p);
  }
  return body;
}

interface Request {
  method: string;
  path: string;
  body: unknown;
  /** How it names the target tenant: a path id, tenant_id in the query or the body, or not at all. */
  targets: 'path' | 'query' | 'body' | null;
}

/** The request of an operation against `target`'s objects. Throws when the document asks for something unknown. */
function requestFor(o: Operation, target: Fixture): Request {
  let targets: Request['targets'] = null;
  const path = o.path.replace(/\{([^}]+)\}/g, (_m, name: string) => {
    if (name === 'file') return 'app.js';
    const collection = o.path.slice(0, o.path.indexOf(`/{${name}}`));
    const id = name === 'id' ? target.ids[collection] : undefined;
    if (!id) throw new Error(`${opKey(o)}: no fixture for {${name}} under ${collection}; add one to fixture()`);
    targets = 'path';
    return id;
  });
  const query = new URLSearchParams();
  for (const p of o.op.parameters ?? []) {
    if (p.in !== 'query') continue;
    if (p.name === 'tenant_id') {
      query.set(p.name, target.tenant.id);
      targets ??= 'query';
    } else if (p.required) query.set(p.name, String(sample(p.schema)));
  }
  const body = bodyFor(o, target);
  if (body && typeof body === 'object' && 'tenant_id' in body) targets ??= 'body';
  const qs = query.toString();
  return { method: o.method, path: qs ? `${path}?${qs}` : path, body, targets };
}

async function send(r: Request, key: string | undefined): Promise<{ status: number; body: any }> {
  return client(t.url, key).raw(r.method, r.path, r.body);
}

const isPublic = (o: Operation) => PUBLIC.includes(opKey(o));
const protectedOps = () => ops.filter((o) => !isPublic(o));
const adminOnly = (o: Operation) => o.op['x-admin-only'] === true;

/** Runs `check` for each operation and answers every mismatch, so one run reports them all. */
async function mismatches(list: Operation[], check: (o: Operation) => Promise<string | null>): Promise<string[]> {
  const out: string[] = [];
  for (const o of list) {
    const problem = await check(o);
    if (problem) out.push(`${opKey(o)}: ${problem}`);
  }
  return out;
}

describe('authorization matrix over /docs-json', () => {
  it('covers every documented operation; only the named public routes need no key, and they answer without one', async () => {
    expect(ops.length).toBeGreaterThan(30);
    expect(ops.filter((o) => !o.op.security).map(opKey).sort()).toEqual([...PUBLIC].sort());
    for (const o of ops.filter(isPublic)) {
      expect((await send(requestFor(o, a), undefined)).status, opKey(o)).toBe(200);
    }
    expect((await fetch(`${t.url}/docs-json`)).status).toBe(200);
    expect((await fetch(`${t.url}/docs`)).status).toBe(200);
  });

  it('no key → 401', async () => {
    expect(await mismatches(protectedOps(), async (o) => {
      const r = await send(requestFor(o, b), undefined);
      return r.status === 401 && r.body.error === 'UNAUTHORIZED' ? null : `${r.status} ${JSON.stringify(r.body)}`;
    })).toEqual([]);
  });

  it('wrong key → 401', async () => {
    expect(await mismatches(protectedOps(), async (o) => {
      for (const key of [...WRONG_KEYS, `${t.adminKey}x`, `${a.tenant.apiKey}x`]) {
        const r = await send(requestFor(o, b), key);
        if (r.status !== 401) return `${key.slice(0, 6)}…: ${r.status} ${JSON.stringify(r.body)}`;
      }
      return null;
    })).toEqual([]);
  });

  it('a tenant key on admin-only routes → 403', async () => {
    const list = protectedOps().filter(adminOnly);
    expect(list.map(opKey).sort()).toEqual(['GET /api/tenants', 'POST /api/tenants']);
    expect(await mismatches(list, async (o) => {
      const r = await send(requestFor(o, a), a.tenant.apiKey);
      return r.status === 403 && r.body.error === 'FORBIDDEN' ? null : `${r.status} ${JSON.stringify(r.body)}`;
    })).toEqual([]);
  });

  it("tenant A's key on tenant B's objects → 404", async () => {
    const list = protectedOps().filter((o) => !adminOnly(o));
    expect(await mismatches(list, async (o) => {
      const req = requestFor(o, b);
      if (!req.targets) return 'names no tenant or object: the matrix cannot aim it at another tenant (document tenant_id or an {id})';
      const r = await send(req, a.tenant.apiKey);
      return r.status === 404 ? null : `${r.status} ${JSON.stringify(r.body)} (targets by ${req.targets})`;
    })).toEqual([]);
  });

  it("tenant A's key on its own objects → allowed (not 401/403)", async () => {
    const list = protectedOps().filter((o) => !adminOnly(o));
    expect(await mismatches(list, async (o) => {
      const r = await send(requestFor(o, a), a.tenant.apiKey);
      return r.status !== 401 && r.status !== 403 && r.status < 500 ? null : `${r.status} ${JSON.stringify(r.body)}`;
    })).toEqual([]);
  });

  it('admin → allowed (not 401/403) everywhere', async () => {
    expect(await mismatches(protectedOps(), async (o) => {
      const r = await send(requestFor(o, c), t.adminKey);
      return r.status !== 401 && r.status !== 403 && r.status < 500 ? null : `${r.status} ${JSON.stringify(r.body)}`;
    })).toEqual([]);
  });
});
