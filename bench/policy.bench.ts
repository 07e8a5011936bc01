import 'reflect-metadata';
import pg from 'pg';
import { createApp } from '../src/bootstrap.js';
import { loadConfig } from '../src/common/config/app-config.js';
import { PolicyEngine } from '../src/modules/policy/policy-engine.service.js';
import { benchDatabase, machine, percentile } from './bench-support.js';

/**
 * npm run bench:policy — decisions/s and per-decision latency from a warm cache with 10, 1,000 and
 * 100,000 rules in the table (spread over tenants and actions, with conditions).
 */
const ACTIONS = ['send_confirmation', 'send_reminder', 'auto_cancel_no_show', 'send_follow_up', 'retry_calendar_sync', 'send_cancellation_notice'];
const DECISIONS = Number(process.env.BENCH_DECISIONS ?? 300_000);

function conditionsFor(i: number): object {
  switch (i % 4) {
    case 0: return {};
    case 1: return { min_lead_time_minutes: 60 };
    case 2: return { channels: ['email', 'sms'] };
    default: return { quiet_hours: { start: '22:00', end: '07:00', timezone: 'Europe/Berlin' }, max_lead_time_minutes: 10_080 };
  }
}

async function seedRules(url: string, count: number, tenants: string[]): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  await c.query(`DELETE FROM policy_rules WHERE NOT is_default`);
  const batch = 5000;
  for (let off = 0; off < count; off += batch) {
    const n = Math.min(batch, count - off);
    const idx = Array.from({ length: n }, (_, k) => off + k);
    await c.query(
      `INSERT INTO policy_rules (tenant_id, action, effect, conditions, priority)
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::jsonb[], $5::int[])`,
      [idx.map((i) => tenants[i % tenants.length]), idx.map((i) => ACTIONS[Math.floor(i / tenants.length) % ACTIONS.length]), idx.map((i) => (i % 3 === 0 ? 'deny' : 'allow')), idx.map((i) => JSON.stringify(conditionsFor(i))), idx.map((i) => i % 7)],
    );
  }
  await c.end();
}

async function main() {
  const db = await benchDatabase('policy');
  const config = { ...loadConfig({ NODE_ENV: 'test', ADMIN_API_KEY: 'adm_bench_key_0123456789abcdefghij', LOG_LEVEL: 'error' }), autonomyEnabled: true, databaseUrl: db.url, role: 'api' as const };
  const app = await createApp(config);
  await app.init();
  const engine = app.get(PolicyEngine);
  const sql = new pg.Client({ connectionString: db.url });
  await sql.connect();
  const tenantIds = (await sql.query<{ id: string }>(`INSERT INTO tenants (name, slug, timezone, business_hours) SELECT 'T' || g, 't-' || g, 'UTC', '{}' FROM generate_series(1, 20000) g RETURNING id`)).rows.map((r) => r.id);
  await sql.end();
  const results: { rules: number; decisions_per_s: number; p50_us: number; p99_us: number; allow_ratio: number }[] = [];
  for (const count of [10, 1_000, 100_000]) {
    await seedRules(db.url, count, tenantIds.slice(0, Math.max(1, Math.min(tenantIds.length, Math.ceil(count / 6)))));
    (engine as unknown as { cache: { clear(): void } }).cache.clear();
    const start = new Date(Date.now() + 3 * 86_400_000).toISOString();
    const contexts = ['email', 'sms', 'webhook'].map((channel) => ({ appointment_start: start, channel }));
    const active = tenantIds.slice(0, 100);
    // warm the cache for the (tenant, action) pairs the run uses
    for (const t of active) for (const a of ACTIONS) await engine.decide(a, t, contexts[0]!);
    const lat: number[] = [];
    let allow = 0;
    const t0 = performance.now();
    for (let i = 0; i < DECISIONS; i++) {
      const s = performance.now();
      const d = await engine.decide(ACTIONS[i % ACTIONS.length]!, active[i % active.length]!, contexts[i % 3]!);
      if ((i & 7) === 0) lat.push((performance.now() - s) * 1000);
      if (d.effect === 'allow') allow++;
    }
    const elapsed = (performance.now() - t0) / 1000;
    lat.sort((x, y) => x - y);
    results.push({ rules: count, decisions_per_s: Math.round(DECISIONS / elapsed), p50_us: +percentile(lat, 50).toFixed(1), p99_us: +percentile(lat, 99).toFixed(1), allow_ratio: +(allow / DECISIONS).toFixed(3) });
  }
  await app.close();
  await db.stop();
  console.log(`machine: ${machine()}; ${DECISIONS} decisions per size over 100 tenants × 6 actions, warm cache; rules spread over ceil(rules/6) tenants and 6 actions`);
  console.table(results);
  const at = (n: number) => results.find((r) => r.rules === n)!;
  console.log(JSON.stringify({ name: 'policy', decisions_per_s_10: at(10).decisions_per_s, decisions_per_s_1k: at(1000).decisions_per_s, p99_us_1k: at(1000).p99_us, decisions_per_s_100k: at(100_000).decisions_per_s, p99_us_100k: at(100_000).p99_us }));
}

await main();
