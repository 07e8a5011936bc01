import pg from 'pg';
import { BENCH_ADMIN_KEY, benchDatabase, machine, percentile, request, startServer } from './bench-support.js';

/**
 * npm run bench:e2e — bookings at a steady rate with autonomy on and the `log` channel; prints the
 * time from booking commit to confirmation `sent` (p50/p99), jobs/s, and whether every booking got
 * exactly one confirmation.
 */
const RATE = Number(process.env.BENCH_RATE ?? 100);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 3);
const ALL_WEEK = Object.fromEntries(['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'].map((d) => [d, [['00:00', '24:00']]]));

async function main() {
  const db = await benchDatabase('e2e');
  const server = await startServer(db.url, { AUTONOMY_ENABLED: 'true', AGENT_MAX_CONCURRENT_JOBS: process.env.BENCH_CONCURRENCY ?? '10', AGENT_JOB_POLL_INTERVAL_MS: '5000', DB_POOL_SIZE: process.env.BENCH_POOL ?? '20' });
  const sql = new pg.Client({ connectionString: db.url });
  await sql.connect();

  /** Requests that got no HTTP answer, by error code. */
  const failures = new Map<string, number>();
  /** `count` bookings at RATE per second, round-robin over `targets`, slots from `base` on. */
  async function drive(targets: { id: string; key: string }[], count: number, base: number, statuses: number[]): Promise<void> {
    const started = Date.now();
    const inflight: Promise<void>[] = [];
    for (let i = 0; i < count; i++) {
      const due = started + (i * 1000) / RATE;
      const wait = due - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const t = targets[i % targets.length]!;
      const start = new Date(base + Math.floor(i / targets.length) * 30 * 60_000);
      inflight.push(
        request(`${server.url}/api/appointments`, 'POST', t.key, { tenant_id: t.id, start: start.toISOString(), end: new Date(start.getTime() + 30 * 60_000).toISOString(), client_name: `Bench ${i}`, client_email: `b${i}@bench.example` })
          .then((r) => void statuses.push(r.status))
          .catch((e: unknown) => {
            statuses.push(0);
            const why = String((e as { code?: string }).code ?? e);
            failures.set(why, (failures.get(why) ?? 0) + 1);
          }),
      );
    }
    await Promise.all(inflight);
  }

  /** Until every appointment of these tenants has its confirmation sent (10 s at most). */
  async function untilConfirmed(tenantIds: string[]): Promise<void> {
    for (let i = 0; i < 100; i++) {
      const { rows } = await sql.query(
        `SELECT count(*)::int AS n FROM appointments a WHERE a.tenant_id = ANY($1) AND NOT EXISTS (SELECT 1 FROM notification_outbox o WHERE o.appointment_id = a.id AND o.template = 'confirmation' AND o.status = 'sent')`,
        [tenantIds],
      );
      if (rows[0].n === 0) return;
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  try {
    const tenants: { id: string; key: string }[] = [];
    for (let i = 0; i < 10; i++) {
      const r = await request(`${server.url}/api/tenants`, 'POST', BENCH_ADMIN_KEY, { name: `E2E ${i}`, slug: `e2e-${i}`, timezone: 'Europe/Berlin', business_hours: ALL_WEEK });
      tenants.push({ id: r.body.id, key: r.body.api_key });
    }
    // Warm-up (its own tenant, left out of every figure): the first seconds of a fresh process
    // compile and load (JIT, policy cache, prepared statements) and say nothing about steady state.
    const warm = await request(`${server.url}/api/tenants`, 'POST', BENCH_ADMIN_KEY, { name: 'E2E warm-up', slug: 'e2e-warm', timezone: 'Europe/Berlin', business_hours: ALL_WEEK });
    await drive([{ id: warm.body.id, key: warm.body.api_key }], RATE * WARMUP_SECONDS, Date.UTC(2035, 0, 1), []);
    await untilConfirmed([warm.body.id]);

    const ids = tenants.map((t) => t.id);
    const statuses: number[] = [];
    const started = Date.now();
    await drive(tenants, RATE * SECONDS, Date.UTC(2031, 0, 1), statuses);
    const sendWindowStart = Date.now();
    await untilConfirmed(ids);
    const elapsed = (Date.now() - started) / 1000;
    const lat = (await sql.query(`SELECT EXTRACT(EPOCH FROM (o.sent_at - a.created_at)) * 1000 AS ms FROM appointments a JOIN notification_outbox o ON o.appointment_id = a.id AND o.template = 'confirmation' WHERE o.status = 'sent' AND a.tenant_id = ANY($1)`, [ids])).rows.map((r) => Number(r.ms)).sort((x, y) => x - y);
    // where the time goes, per stage (p50 / p99 in ms): the handler, the runner's wake-up, the tool, the dispatcher
    const stages = (
      await sql.query(
        `SELECT EXTRACT(EPOCH FROM (j.created_at - a.created_at)) * 1000 AS handler,
                EXTRACT(EPOCH FROM (j.claimed_at - greatest(j.created_at, j.run_at))) * 1000 AS claim,
                EXTRACT(EPOCH FROM (o.created_at - j.claimed_at)) * 1000 AS tool,
                EXTRACT(EPOCH FROM (o.sent_at - o.created_at)) * 1000 AS dispatch
           FROM appointments a
           JOIN notification_outbox o ON o.appointment_id = a.id AND o.template = 'confirmation' AND o.status = 'sent'
           JOIN jobs j ON j.id = o.job_id
          WHERE a.tenant_id = ANY($1)`,
        [ids],
      )
    ).rows as Record<string, string>[];
    const stage = (k: string) => {
      const v = stages.map((r) => Number(r[k])).sort((x, y) => x - y);
      return `${percentile(v, 50).toFixed(1)}/${percentile(v, 99).toFixed(1)}`;
    };
    console.log(`stages p50/p99 ms: commit → job enqueued ${stage('handler')}; due → claimed ${stage('claim')}; claimed → outbox row ${stage('tool')}; outbox row → sent ${stage('dispatch')}`);
    const perApt = (await sql.query(`SELECT a.id, count(o.id)::int AS n FROM appointments a LEFT JOIN notification_outbox o ON o.appointment_id = a.id AND o.template = 'confirmation' AND o.status = 'sent' WHERE a.tenant_id = ANY($1) GROUP BY a.id`, [ids])).rows as { n: number }[];
    const jobs = (await sql.query(`SELECT count(*)::int AS n FROM jobs WHERE status IN ('completed', 'cancelled', 'failed') AND tenant_id = ANY($1)`, [ids])).rows[0].n as number;
    const created = statuses.filter((s) => s === 201).length;
    const exactlyOne = perApt.every((r) => r.n === 1) && perApt.length === created;
    console.log(`machine: ${machine()}; ${RATE} bookings/s for ${SECONDS}s, 10 tenants, log channel, poll interval 5000 ms, after a ${WARMUP_SECONDS}s warm-up on another tenant`);
    const histogram = Object.entries(statuses.reduce<Record<number, number>>((h, s) => ((h[s] = (h[s] ?? 0) + 1), h), {})).map(([k, v]) => `${k}×${v}`).join(" ");
    const failed = [...failures].map(([k, v]) => `${k}×${v}`).join(' ');
    console.log(`bookings: ${created} created (statuses ${histogram}${failed ? `; no answer: ${failed}` : ''}); drained ${((Date.now() - sendWindowStart) / 1000).toFixed(1)}s after the last request`);
    console.log(`commit → confirmation sent: p50 ${percentile(lat, 50).toFixed(1)} ms, p99 ${percentile(lat, 99).toFixed(1)} ms, max ${lat[lat.length - 1]?.toFixed(1)} ms`);
    console.log(`jobs finished: ${jobs} (${(jobs / elapsed).toFixed(0)}/s); every booking exactly one confirmation: ${exactlyOne}; server peak RSS ${server.peakRssMb()} MB`);
    console.log(JSON.stringify({ name: 'e2e', rate: RATE, seconds: SECONDS, bookings: created, commit_to_sent_p50_ms: +percentile(lat, 50).toFixed(1), commit_to_sent_p99_ms: +percentile(lat, 99).toFixed(1), jobs_per_s: +(jobs / elapsed).toFixed(0), exactly_one_confirmation: exactlyOne, peak_rss_mb: server.peakRssMb() }));
  } finally {
    await sql.end();
    await server.stop();
    await db.stop();
  }
}

await main();
