import { randomUUID } from 'node:crypto';
import http from 'node:http';
import fc from 'fast-check';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ToolRegistry } from '../../src/modules/autonomy/tools/tool-registry.js';
import { JobQueue } from '../../src/modules/jobs/job-queue.service.js';
import { newClient, newTenant, slotAt, type TestTenant } from '../support/builders.js';
import { client } from '../support/http-client.js';
import { operations, opKey, type Operation } from '../support/openapi-operations.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { until } from '../support/until.js';

/**
 * Hostile input (issue 8, part 3), the fast variant: a seeded fast-check fuzzer over every operation
 * of `/docs-json`, SQL injection in every string parameter and body field, JSON bombs, hostile policy
 * conditions, and no route that runs a job type or tool it is handed. Never a 5xx; a 4xx changes no
 * business table (audit_log grows: requests are audited).
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20261128);
const RUNS_PER_OP = Number(process.env.FUZZ_RUNS_PER_OP ?? 12);
const BUSINESS_TABLES = [
  'tenants',
  'resources',
  'appointments',
  'availability_holds',
  'policy_rules',
  'jobs',
  'notification_outbox',
  'tenant_webhooks',
  'autonomy_settings',
  'domain_events',
];
const SQLI = [
  "' OR 1=1 --",
  "'; DROP TABLE appointments; --",
  '"; DROP TABLE tenants; --',
  "1; DELETE FROM jobs WHERE '1'='1",
  "' UNION SELECT api_key_hash, null FROM api_keys --",
  "x' AND pg_sleep(5) IS NULL --",
  "$1'::text); TRUNCATE policy_rules; --",
  '\\x00\u0000%00',
];

let t: TestApp;
let sql: pg.Client;
let doc: any;
let ops: Operation[];
let tenant: TestTenant;
let ids: Record<string, string>;
let sent = 0;
const fiveXX: string[] = [];

const q = async <T = any>(text: string, params: unknown[] = []) => (await sql.query(text, params)).rows as T[];

/** Row count and md5 of every business table, as one comparable string. */
async function snapshot(): Promise<string> {
  const parts = BUSINESS_TABLES.map((tb) => `SELECT '${tb}' AS tb, count(*) AS n, md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) AS h FROM ${tb} x`);
  const rows = await q<{ tb: string; n: string; h: string }>(parts.join(' UNION ALL '));
  return rows.map((r) => `${r.tb}:${r.n}:${r.h}`).join(' ');
}

/** Waits for background work after a successful write (domain event dispatch) to settle. */
async function settled(): Promise<string> {
  let prev = await snapshot();
  for (let i = 0; i < 40; i++) {
    await new Promise((r) => setTimeout(r, 50));
    const next = await snapshot();
    if (next === prev) return next;
    prev = next;
  }
  return prev;
}

interface Req {
  method: string;
  path: string;
  /** A JSON text, or undefined for no body. */
  body?: string;
  key: string;
  label: string;
}

const describeReq = (r: Req) => `${r.method} ${r.path} [${r.label}] body=${(r.body ?? '').slice(0, 300)}`;

/** One request; a 5xx is recorded with the request that caused it. */
async function send(r: Req): Promise<{ status: number; body: any; ms: number }> {
  const started = performance.now();
  const res = await client(t.url, r.key).raw(r.method, r.path, r.body);
  sent++;
  if (res.status >= 500) fiveXX.push(`${res.status} ${describeReq(r)} → ${JSON.stringify(res.body).slice(0, 300)}`);
  return { ...res, ms: performance.now() - started };
}

/** Percent-encodes the UTF-8 bytes of any string (encodeURIComponent throws on a lone surrogate). */
const enc = (s: string) => [...Buffer.from(s, 'utf8')].map((b) => (/[A-Za-z0-9\-_.~]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).padStart(2, '0').toUpperCase()}`)).join('');

function resolve(schema: any): any {
  return schema?.$ref ? doc.components.schemas[schema.$ref.split('/').pop()] : schema;
}

function sample(schema: any): unknown {
  const s = resolve(schema) ?? {};
  if (s.example !== undefined) return s.example;
  if (s.enum) return s.enum[0];
  if (s.default !== undefined) return s.default;
  if (s.type === 'integer' || s.type === 'number') return s.minimum ?? 1;
  if (s.type === 'boolean') return true;
  if (s.type === 'array') return [];
  if (s.type === 'object') return {};
  return s.format === 'uuid' ? randomUUID() : s.format === 'date-time' ? '2030-01-07T09:00:00Z' : 'x';
}

/** A valid-looking body for an operation, aimed at the fixture tenant. */
function baseBody(o: Operation): Record<string, unknown> | undefined {
  const schema = resolve(o.op.requestBody?.content?.['application/json']?.schema);
  if (!schema) return undefined;
  const body: Record<string, unknown> = {};
  for (const [name, prop] of Object.entries<any>(schema.properties ?? {})) {
    const p = resolve(prop);
    if (name === 'tenant_id') body[name] = tenant.id;
    else if ((schema.required ?? []).includes(name) || p.example !== undefined || p.enum) body[name] = sample(p);
  }
  return body;
}

function deep(depth: number): unknown {
  let v: unknown = { leaf: 1 };
  for (let i = 0; i < depth; i++) v = { a: v };
  return v;
}

/** The hostile values: wrong types, huge and odd strings, out-of-range numbers, bad uuids and dates. */
const hostileString = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    'not-a-uuid',
    '00000000-0000-0000-0000-000000000000',
    'ffffffff-ffff-ffff-ffff-ffffffffffffx',
    '2030-02-30T09:00:00Z',
    '2030-01-07T25:61:00Z',
    '+275760-09-13T00:00:00.001Z',
    '-000001-01-01T00:00:00Z',
    '9999-12-31T23:59:59.999999999Z',
    '1970-01-01',
    'yesterday',
    'NaN',
    'Infinity',
    '-1e309',
    '../../../etc/passwd',
    '%00',
    '%E0%A4%A',
    '\u0000',
    '\uD800',
    '\u202Eevil\u202C',
    '𝔘𝔫𝔦𝔠𝔬𝔡𝔢 🦄 ℌ',
    'Zalgo T̸̢̛̛̖̯̱̲͖̙̭̙̦̼̫̯̒̓̏̅̈́̽̐̃͋̆͌̐͝ͅ',
    '<script>alert(1)</script>',
    '{{7*7}}${7*7}',
    'constructor',
    '__proto__',
    'a'.repeat(20_000),
    'é'.repeat(5_000),
    ...SQLI,
  ),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.uuid(),
);
const hostileNumber = fc.oneof(
  fc.constantFrom(-1, 0, -0, 1e308, -1e308, 2 ** 53 + 1, -(2 ** 63), 2 ** 31, 4.5, 1e-300),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);
const protoObject = fc.constantFrom(
  '{"__proto__":{"isAdmin":true}}',
  '{"constructor":{"prototype":{"polluted":1}}}',
  '{"prototype":{"x":1}}',
);
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: hostileString },
  { weight: 2, arbitrary: hostileNumber },
  { weight: 1, arbitrary: fc.constantFrom(null, true, false, [], {}, [null], [[[]]], { $ne: null }, { $gt: '' }) },
  { weight: 1, arbitrary: fc.array(hostileString, { maxLength: 5 }) },
  { weight: 1, arbitrary: fc.constant([...Array(2_000).keys()]) },
  { weight: 1, arbitrary: fc.integer({ min: 2, max: 60 }).map(deep) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: protoObject.map((s) => JSON.parse(s)) },
);

/** A body mutation: the whole body replaced, a field hostile, a field missing, an extra field. */
function bodyArb(o: Operation): fc.Arbitrary<string | undefined> {
  const base = baseBody(o);
  if (!base) return fc.constant(undefined);
  const fields = Object.keys(resolve(o.op.requestBody.content['application/json'].schema).properties ?? {});
  const field = fields.length ? fc.constantFrom(...fields) : fc.constant('x');
  return fc.oneof(
    hostileValue.map((v) => JSON.stringify(v)),
    fc.tuple(field, hostileValue).map(([f, v]) => JSON.stringify({ ...base, [f]: v })),
    fc.tuple(field, hostileValue, field, hostileValue).map(([f, v, g, w]) => JSON.stringify({ ...base, [f]: v, [g]: w })),
    field.map((f) => JSON.stringify(Object.fromEntries(Object.entries(base).filter(([k]) => k !== f)))),
    fc.tuple(fc.string({ maxLength: 12 }), hostileValue).map(([f, v]) => JSON.stringify({ ...base, [`x_${f}`]: v })),
    protoObject.map((p) => JSON.stringify(base).replace(/^\{/, `{${p.slice(1, -1)},`)),
    fc.constantFrom('{', '{"a":}', 'null', '[]', '"str"', '1e400', '{"a":1,"a":2}', '\u0000', 'true'),
  );
}

/** A query string: documented params hostile, valid or missing; array and object forms (qs); extras. */
function queryArb(o: Operation): fc.Arbitrary<string> {
  const params = (o.op.parameters ?? []).filter((p: any) => p.in === 'query');
  const one = (p: any) =>
    fc.oneof(
      fc.constant<string[]>([]),
      fc.constant([`${p.name}=${enc(String(p.name === 'tenant_id' ? tenant.id : sample(p.schema)))}`]),
      hostileString.map((v) => [`${p.name}=${enc(v)}`]),
      fc.tuple(hostileString, hostileString).map(([a, b]) => [`${p.name}=${enc(a)}`, `${p.name}=${enc(b)}`]),
      hostileString.map((v) => [`${p.name}[]=${enc(v)}`]),
      fc.constant([`${p.name}[$ne]=1`, `${p.name}[__proto__][x]=1`]),
      fc.constant([`${p.name}${'[a]'.repeat(30)}=1`]),
    );
  return fc
    .tuple(fc.tuple(...params.map(one)), fc.option(fc.tuple(fc.string({ maxLength: 8 }), hostileString), { nil: undefined }))
    .map(([parts, extra]) => {
      const all = (parts as string[][]).flat();
      if (extra) all.push(`${enc(extra[0])}=${enc(extra[1])}`);
      return all.length ? `?${all.join('&')}` : '';
    });
}

/** The path: a documented id is the real fixture object's (so the body reaches the handler) or hostile. */
function pathArb(o: Operation): fc.Arbitrary<string> {
  const names = [...o.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
  if (names.length === 0) return fc.constant(o.path);
  return fc.tuple(...names.map((name) => fc.oneof(fc.constant(null), hostileString.filter((s) => s.length < 3000)).map((v) => [name, v] as const))).map((pairs) => {
    let p = o.path;
    for (const [name, v] of pairs) {
      const collection = o.path.slice(0, o.path.indexOf(`/{${name}}`));
      const valid = name === 'file' ? 'app.js' : ids[collection] ?? randomUUID();
      p = p.replace(`{${name}}`, v === null ? valid : enc(v));
    }
    return p;
  });
}

function requestArb(o: Operation): fc.Arbitrary<Req> {
  return fc
    .tuple(pathArb(o), queryArb(o), bodyArb(o), fc.constantFrom('admin', 'tenant'))
    .map(([path, query, body, who]) => ({ method: o.method, path: path + query, body, key: who === 'admin' ? t.adminKey : tenant.apiKey, label: who }));
}

beforeAll(async () => {
  t = await startTestApp({ role: 'api', autonomyEnabled: false });
  sql = new pg.Client({ connectionString: t.db.url });
  await sql.connect();
  doc = await (await fetch(`${t.url}/docs-json`)).json();
  ops = operations(doc);
  tenant = await newTenant(t.url, t.adminKey);
  const api = client(t.url, tenant.apiKey);
  const apt = await api.post('/api/appointments', { tenant_id: tenant.id, ...slotAt(1), ...newClient() });
  const rule = await api.post('/api/policy-rules', { action: 'send_follow_up', effect: 'allow', priority: 1 });
  expect([apt.status, rule.status]).toEqual([201, 201]);
  const job = await t.app.get(JobQueue).enqueue('send_reminder', tenant.id, { n: 1 });
  ids = { '/api/tenants': tenant.id, '/api/appointments': apt.body.id, '/api/jobs': job.job!.id, '/api/policy-rules': rule.body.id };
  console.log(`hostile-input: fast-check seed ${SEED} (FUZZ_SEED to replay), ${RUNS_PER_OP} runs per operation`);
});
afterAll(async () => {
  console.log(`hostile-input: ${sent} requests sent, ${fiveXX.length} answered 5xx`);
  await sql?.end();
  await t?.close();
});

describe('fuzzing every operation of /docs-json', () => {
  it('never answers 5xx, and no 4xx changes a business table', async () => {
    const started = performance.now();
    expect(ops.length).toBeGreaterThan(30);
    const changedBy4xx: string[] = [];
    let fourXX = 0;
    let before = await settled();
    for (const [i, o] of ops.entries()) {
      const reqs = fc.sample(requestArb(o), { seed: SEED + i, numRuns: RUNS_PER_OP });
      for (const r of reqs) {
        const res = await send(r);
        if (res.status >= 400 && res.status < 500) {
          fourXX++;
          const after = await snapshot();
          if (after !== before) {
            changedBy4xx.push(`${res.status} ${describeReq(r)}`);
            before = await settled();
          }
        } else if (r.method !== 'GET') before = await settled();
      }
    }
    console.log(`hostile-input fuzz: ${ops.length} operations, ${sent} requests (${fourXX} 4xx) in ${Math.round(performance.now() - started)} ms`);
    expect(fiveXX).toEqual([]);
    expect(changedBy4xx).toEqual([]);
  });
});

describe('SQL injection', () => {
  it('in every string query parameter and body field: 4xx or a normal 200/201, never 5xx; the tables are all there', async () => {
    const statuses: Record<string, number> = {};
    const tablesBefore = (await q(`SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'public'`))[0].n;
    const counts = async () => (await q(`SELECT (SELECT count(*) FROM tenants)::int AS t, (SELECT count(*) FROM appointments)::int AS a, (SELECT count(*) FROM policy_rules)::int AS p, (SELECT count(*) FROM jobs)::int AS j`))[0];
    const countsBefore = await counts();
    for (const o of ops) {
      const path = o.path.replace(/\{([^}]+)\}/g, (_m, name: string) => (name === 'file' ? 'app.js' : ids[o.path.slice(0, o.path.indexOf(`/{${name}}`))] ?? randomUUID()));
      const qp = (o.op.parameters ?? []).filter((p: any) => p.in === 'query' && (resolve(p.schema)?.type ?? 'string') === 'string');
      const base = baseBody(o);
      const stringFields = Object.entries<any>(resolve(o.op.requestBody?.content?.['application/json']?.schema)?.properties ?? {})
        .filter(([, p]) => resolve(p).type === 'string' || resolve(p).type === undefined)
        .map(([k]) => k);
      for (const inj of SQLI) {
        for (const p of qp) {
          for (const key of [t.adminKey, tenant.apiKey]) {
            const r = await send({ method: o.method, path: `${path}?${p.name}=${enc(inj)}`, body: base && JSON.stringify(base), key, label: `sqli query ${p.name}` });
            statuses[r.status] = (statuses[r.status] ?? 0) + 1;
          }
        }
        for (const f of stringFields) {
          const r = await send({ method: o.method, path, body: JSON.stringify({ ...base, [f]: inj }), key: tenant.apiKey, label: `sqli body ${f}` });
          statuses[r.status] = (statuses[r.status] ?? 0) + 1;
        }
        // the path id itself
        if (o.path.includes('{id}')) {
          const r = await send({ method: o.method, path: o.path.replace('{id}', enc(inj)), body: base && JSON.stringify(base), key: t.adminKey, label: 'sqli path id' });
          statuses[r.status] = (statuses[r.status] ?? 0) + 1;
        }
      }
    }
    console.log(`hostile-input SQL injection: statuses ${JSON.stringify(statuses)}`);
    expect(fiveXX).toEqual([]);
    expect(Object.keys(statuses).every((s) => Number(s) < 500)).toBe(true);
    expect((await q(`SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'public'`))[0].n).toBe(tablesBefore);
    for (const tb of BUSINESS_TABLES) expect((await q(`SELECT to_regclass($1) AS r`, [`public.${tb}`]))[0].r, tb).not.toBeNull();
    const countsAfter = await counts();
    // Injected strings may legitimately be stored as data (a client name, a description), never delete anything.
    expect(countsAfter.t).toBeGreaterThanOrEqual(countsBefore.t);
    expect(countsAfter.a).toBeGreaterThanOrEqual(countsBefore.a);
    expect(countsAfter.j).toBeGreaterThanOrEqual(countsBefore.j);
    // A list filtered by an injected value finds nothing (it is a value, not SQL).
    const list = await send({ method: 'GET', path: `/api/jobs?type=${enc("' OR 1=1 --")}`, key: t.adminKey, label: 'sqli filter' });
    expect([200, 400]).toContain(list.status);
    if (list.status === 200) expect(list.body.items).toEqual([]);
  });
});

describe('NUL characters (PostgreSQL text and jsonb cannot hold them)', () => {
  it('are refused with a 400 naming the field, and the request is still audited (the audit batch is not lost)', async () => {
    const marker = `nulmark${Date.now()}`;
    const q1 = await send({ method: 'GET', path: `/api/jobs?type=${marker}%00x`, key: t.adminKey, label: 'nul query' });
    expect([q1.status, q1.body.field]).toEqual([400, 'type']);
    const b1 = await send({ method: 'POST', path: `/api/tenants/${tenant.id}/resources`, body: JSON.stringify({ name: `${marker}\u0000` }), key: tenant.apiKey, label: 'nul body' });
    expect([b1.status, b1.body.field]).toEqual([400, 'name']);
    const p1 = await send({ method: 'GET', path: `/api/appointments/${marker}%00`, key: t.adminKey, label: 'nul path' });
    expect(p1.status).toBe(400);
    await until('the NUL request audited', async () => ((await q(`SELECT 1 FROM audit_log WHERE event_type = 'api.request' AND payload::text LIKE $1`, [`%${marker}%`])).length > 0 ? true : null));
    expect(fiveXX).toEqual([]);
  });
});

/** A raw JSON body on its own connection, timed; `json` may be any text. */
function rawPost(path: string, json: string, key: string): Promise<{ status: number; body: any; ms: number }> {
  return new Promise((resolveP, reject) => {
    const started = performance.now();
    const req = http.request(
      t.url + path,
      { method: 'POST', agent: false, headers: { connection: 'close', authorization: `Bearer ${key}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) } },
      (res) => {
        let data = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (data += c));
        res.on('end', () => {
          let body: unknown = data;
          try {
            body = JSON.parse(data);
          } catch {
            /* text */
          }
          sent++;
          resolveP({ status: res.statusCode ?? 0, body, ms: performance.now() - started });
        });
      },
    );
    req.setTimeout(10_000, () => req.destroy(new Error(`${path}: no answer within 10 s`)));
    req.on('error', reject);
    req.end(json);
  });
}

describe('JSON bombs', () => {
  it('an oversized body → 413', async () => {
    const huge = JSON.stringify({ tenant_id: tenant.id, ...slotAt(40), ...newClient(), service: 'x'.repeat(t.config.bodyLimitBytes + 10) });
    const r = await rawPost('/api/appointments', huge, tenant.apiKey);
    expect(r.status).toBe(413);
    const many = JSON.stringify({ tenant_id: tenant.id, padding: Array.from({ length: 40_000 }, () => 'abc') });
    expect((await rawPost('/api/appointments', many, tenant.apiKey)).status).toBe(413);
  });

  it.each([65, 1_000, 10_000, 90_000])('JSON nested %i deep → 400 naming body, quickly', async (depth) => {
    for (const [open, close] of [['{"a":', '}'], ['[', ']']] as const) {
      const json = open.repeat(depth) + '1' + close.repeat(depth);
      if (Buffer.byteLength(json) > t.config.bodyLimitBytes) continue;
      const r = await rawPost('/api/policy-rules', json, tenant.apiKey);
      expect(r.status, `${open} x ${depth}: ${JSON.stringify(r.body).slice(0, 200)}`).toBe(400);
      expect(r.body.field, JSON.stringify(r.body)).toBe('body');
      expect(r.ms).toBeLessThan(2_000);
    }
  });

  it('moderately nested JSON (below the limit) still reaches validation', async () => {
    const r = await rawPost('/api/policy-rules', JSON.stringify({ action: 'send_follow_up', effect: 'allow', conditions: deep(20) }), tenant.apiKey);
    expect(r.status).toBe(400);
    expect(r.body.field).toMatch(/^conditions/);
  });
});

describe('hostile policy conditions', () => {
  const hostile: Array<[string, string]> = [
    ['unknown key', '{"run_tool":"send_reminder"}'],
    ['__proto__', '{"__proto__":{"min_lead_time_minutes":1}}'],
    ['constructor', '{"constructor":{"prototype":{"x":1}}}'],
    ['nested __proto__', '{"quiet_hours":{"__proto__":{"start":"22:00"}}}'],
    ['function as string', '{"min_lead_time_minutes":"function(){return process.exit(1)}"}'],
    ['arrow as string', '{"max_per_appointment":"() => 1"}'],
    ['huge channel array', JSON.stringify({ channels: Array.from({ length: 10_000 }, () => 'email') })],
    ['unknown channel', '{"channels":["email","carrier_pigeon"]}'],
    ['channels not an array', '{"channels":"email"}'],
    ['NaN string', '{"min_lead_time_minutes":"NaN"}'],
    ['Infinity string', '{"max_lead_time_minutes":"Infinity"}'],
    ['-Infinity string', '{"max_per_recipient_per_day":"-Infinity"}'],
    ['1e400', '{"max_lead_time_minutes":1e400}'],
    ['negative', '{"min_lead_time_minutes":-5}'],
    ['huge', '{"max_per_recipient_per_day":1e300}'],
    ['beyond int', '{"max_per_appointment":9007199254740993}'],
    ['fraction', '{"min_lead_time_minutes":1.5}'],
    ['number as string', '{"min_lead_time_minutes":"60"}'],
    ['null value', '{"min_lead_time_minutes":null}'],
    ['quiet_hours not an object', '{"quiet_hours":"22:00-07:00"}'],
    ['quiet_hours array', '{"quiet_hours":["22:00","07:00"]}'],
    ['quiet_hours wrong types', '{"quiet_hours":{"start":2200,"end":700,"timezone":"UTC"}}'],
    ['quiet_hours bad time', '{"quiet_hours":{"start":"25:00","end":"07:00","timezone":"UTC"}}'],
    ['quiet_hours bad timezone', '{"quiet_hours":{"start":"22:00","end":"07:00","timezone":"Mars/Olympus_Mons"}}'],
    ['quiet_hours extra key', '{"quiet_hours":{"start":"22:00","end":"07:00","timezone":"UTC","eval":"1"}}'],
    ['quiet_hours missing end', '{"quiet_hours":{"start":"22:00","timezone":"UTC"}}'],
    ['conditions an array', '[{"min_lead_time_minutes":60}]'],
    ['conditions a string', '"min_lead_time_minutes=60"'],
    ['deeply nested', JSON.stringify({ quiet_hours: deep(40) })],
  ];

  let ruleId: string;
  beforeAll(async () => {
    const r = await rawPost('/api/policy-rules', JSON.stringify({ action: 'send_reminder', effect: 'allow', priority: 3 }), tenant.apiKey);
    expect(r.status).toBe(201);
    ruleId = r.body.id;
  });

  it.each(hostile)('%s → 400 on create and on update; nothing written', async (_name, conditions) => {
    const before = await q(`SELECT count(*)::int AS n, md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) AS h FROM policy_rules x`);
    const create = await rawPost('/api/policy-rules', `{"action":"send_reminder","effect":"allow","conditions":${conditions}}`, tenant.apiKey);
    expect(create.status, JSON.stringify(create.body).slice(0, 300)).toBe(400);
    const upd = await send({ method: 'PATCH', path: `/api/policy-rules/${ruleId}`, body: `{"conditions":${conditions}}`, key: tenant.apiKey, label: 'hostile conditions' });
    expect(upd.status, JSON.stringify(upd.body).slice(0, 300)).toBe(400);
    const adminCreate = await rawPost('/api/policy-rules', `{"action":"send_reminder","effect":"deny","conditions":${conditions}}`, t.adminKey);
    expect(adminCreate.status).toBe(400);
    expect(await q(`SELECT count(*)::int AS n, md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) AS h FROM policy_rules x`)).toEqual(before);
    expect(({} as any).min_lead_time_minutes).toBeUndefined();
    expect(({} as any).x).toBeUndefined();
  });

  it('a well-formed rule is still accepted (the refusals are not blanket)', async () => {
    const r = await rawPost('/api/policy-rules', JSON.stringify({ action: 'send_reminder', effect: 'allow', conditions: { min_lead_time_minutes: 60, quiet_hours: { start: '22:00', end: '07:00', timezone: 'UTC' }, channels: ['email'] } }), tenant.apiKey);
    expect(r.status, JSON.stringify(r.body)).toBe(201);
  });
});

describe('tools only through the registry', () => {
  it('no HTTP route accepts a job type or tool name and enqueues or runs it', async () => {
    const registered = new Set<string>(t.app.get(ToolRegistry, { strict: false }).all().map((tool) => tool.name));
    expect(registered.size).toBeGreaterThan(0);
    const jobsBefore = (await q(`SELECT id FROM jobs`)).map((r) => r.id).sort();
    const hostileTypes = ['run_shell', 'delete_all_data', 'exec', '../send_reminder', 'send_reminder; rm -rf /', 'constructor', '__proto__'];
    const keys = ['type', 'job_type', 'tool', 'tool_name', 'name', 'action', 'handler', 'command'];
    const writes = ops.filter((o) => o.method !== 'GET');
    let tried = 0;
    for (const o of writes) {
      const path = o.path.replace(/\{([^}]+)\}/g, (_m, name: string) => ids[o.path.slice(0, o.path.indexOf(`/{${name}}`))] ?? randomUUID());
      const base = baseBody(o) ?? {};
      for (const ty of hostileTypes) {
        for (const k of keys) {
          for (const key of [t.adminKey, tenant.apiKey]) {
            await send({ method: o.method, path: `${path}?${k}=${enc(ty)}`, body: JSON.stringify({ ...base, [k]: ty, payload: { cmd: 'rm -rf /' } }), key, label: `tool ${k}` });
            tried++;
          }
        }
      }
    }
    // No new job has an unregistered type, and no hostile type shows up anywhere.
    const after = await q<{ id: string; type: string }>(`SELECT id, type FROM jobs`);
    const fresh = after.filter((j) => !jobsBefore.includes(j.id));
    expect(after.filter((j) => hostileTypes.includes(j.type))).toEqual([]);
    expect(fresh.filter((j) => !registered.has(j.type))).toEqual([]);
    expect(await q(`SELECT 1 FROM jobs WHERE payload::text LIKE '%rm -rf%'`)).toEqual([]);
    expect(await q(`SELECT 1 FROM audit_log WHERE actor = 'agent' AND payload::text LIKE '%rm -rf%'`)).toEqual([]);
    expect(fiveXX).toEqual([]);
    expect(tried).toBeGreaterThan(100);
  });
});
