import pg from 'pg';
import { BENCH_ADMIN_KEY, benchDatabase, machine, percentile, postgresCpuSeconds, processCpuSeconds, request, startServer } from './bench-support.js';

/**
 * npm run bench:booking — N concurrent HTTP clients book random free slots across 50 tenants, then
 * all clients fight over one resource. Prints bookings/s, p50/p99, 409 rate, overbookings, peak RSS.
 * First, bookings at a steady rate below saturation (BENCH_STEADY_RATE, default 250/s): the CPU the
 * service and PostgreSQL spend per booking, for capacity planning (CPU per booking times the rate
 * wanted), without the queueing that decides latency at saturation. It still moves with the
 * machine's speed: compare runs made in turn.
 */
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 16);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const STEADY_RATE = Number(process.env.BENCH_STEADY_RATE ?? 250);
const TENANTS = 50;
const ALL_WEEK = Object.fromEntries(['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'].map((d) => [d, [['00:00', '24:00']]]));

/** A booking of the half-hour slot number `slot` after `base` (epoch ms) on `t`'s resource. */
function bookingBody(t: { id: string; resource: string }, base: number, slot: number, client: string) {
  const start = new Date(base + slot * 30 * 60_000);
  return { tenant_id: t.id, resource_id: t.resource, start: start.toISOString(), end: new Date(start.getTime() + 30 * 60_000).toISOString(), client_name: 'Bench Client', client_email: `${client}.${slot}@bench.example` };
}

interface RunResult {
  scenario: string;
  requests: number;
  created: number;
  conflicts: number;
  errors: number;
  bookings_per_s: number;
  p50_ms: number;
  p99_ms: number;
  conflict_rate: number;
}

async function run(scenario: string, targets: { id: string; key: string; resource: string }[], slotSpace: number, seconds = SECONDS): Promise<RunResult> {
  const base = Date.UTC(2031, 0, 1);
  const latencies: number[] = [];
  let created = 0;
  let conflicts = 0;
  let errors = 0;
  const until = Date.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(Array.from({ length: CLIENTS }, (_, i) => clientLoop(i)));
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const requests = latencies.length;
  return { scenario, requests, created, conflicts, errors, bookings_per_s: Math.round(created / elapsed), p50_ms: +percentile(latencies, 50).toFixed(2), p99_ms: +percentile(latencies, 99).toFixed(2), conflict_rate: +(conflicts / Math.max(1, requests)).toFixed(3) };

  async function clientLoop(i: number) {
    while (Date.now() < until) {
      const t = targets[Math.floor(Math.random() * targets.length)]!;
      const body = bookingBody(t, base, Math.floor(Math.random() * slotSpace), `c${i}`);
      const t0 = performance.now();
      const r = await request(`${serverUrl}/api/appointments`, 'POST', t.key, body).catch(() => ({ status: 0, body: undefined }));
      latencies.push(performance.now() - t0);
      if (r.status === 201) created++;
      else if (r.status === 409) conflicts++;
      else errors++;
    }
  }
}

interface SteadyResult {
  rate: number;
  requests: number;
  created: number;
  p50_ms: number;
  p99_ms: number;
  server_cpu_ms_per_booking: number;
  postgres_cpu_ms_per_booking: number;
}

/**
 * Open loop: one booking every 1/rate s on the 50 tenants, whatever the answers take; the first
 * `warmup` seconds at the same rate are not counted.
 */
async function steady(targets: { id: string; key: string; resource: string }[], serverPid: number, rate: number, seconds: number, warmup = 3): Promise<SteadyResult> {
  const base = Date.UTC(2033, 0, 1);
  const latencies: number[] = [];
  let created = 0;
  let counting = false;
  const inFlight = new Set<Promise<void>>();
  const load = async (forSeconds: number) => {
    const started = performance.now();
    for (let i = 0; performance.now() - started < forSeconds * 1000; i++) {
      const wait = started + (i * 1000) / rate - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const t = targets[Math.floor(Math.random() * targets.length)]!;
      const body = bookingBody(t, base, Math.floor(Math.random() * 48 * 365), 's');
      const t0 = performance.now();
      const counted = counting;
      const p = request(`${serverUrl}/api/appointments`, 'POST', t.key, body)
        .then((r) => {
          if (!counted) return;
          latencies.push(performance.now() - t0);
          if (r.status === 201) created++;
        }, () => void (counted && latencies.push(performance.now() - t0)))
        .finally(() => inFlight.delete(p));
      inFlight.add(p);
    }
  };
  await load(warmup);
  counting = true;
  const server0 = processCpuSeconds(serverPid);
  const pg0 = postgresCpuSeconds();
  await load(seconds);
  await Promise.all(inFlight);
  const server1 = processCpuSeconds(serverPid);
  const pg1 = postgresCpuSeconds();
  latencies.sort((a, b) => a - b);
  const n = latencies.length;
  return {
    rate,
    requests: n,
    created,
    p50_ms: +percentile(latencies, 50).toFixed(2),
    p99_ms: +percentile(latencies, 99).toFixed(2),
    server_cpu_ms_per_booking: +(((server1 - server0) * 1000) / n).toFixed(3),
    postgres_cpu_ms_per_booking: +(((pg1 - pg0) * 1000) / n).toFixed(3),
  };
}

let serverUrl = '';

async function overbookings(url: string): Promise<number> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  const r = await c.query(`SELECT count(*)::int AS n FROM appointments a JOIN appointments b ON a.tenant_id = b.tenant_id AND a.resource_id = b.resource_id AND a.id < b.id
    WHERE a.status = 'confirmed' AND b.status = 'confirmed' AND tstzrange(a.start_time, a.end_time) && tstzrange(b.start_time, b.end_time)`);
  await c.end();
  return r.rows[0].n;
}

async function main() {
  const db = await benchDatabase('booking');
  const server = await startServer(db.url, { DB_POOL_SIZE: '20' });
  serverUrl = server.url;
  try {
    const tenants: { id: string; key: string; resource: string }[] = [];
    for (let i = 0; i < TENANTS; i++) {
      const r = await request(`${server.url}/api/tenants`, 'POST', BENCH_ADMIN_KEY, { name: `Bench ${i}`, slug: `bench-${i}`, timezone: 'UTC', slot_minutes: 30, business_hours: ALL_WEEK });
      tenants.push({ id: r.body.id, key: r.body.api_key, resource: r.body.resource.id });
    }
    // warm-up
    await run('warmup', tenants, 48 * 365, 3);
    // before the saturated runs leave work behind (sealer backlog, vacuum) that would be counted
    const calm = await steady(tenants, server.proc.pid!, STEADY_RATE, SECONDS);
    const spread = await run('50 tenants', tenants, 48 * 365);
    const hot = await run('one hot resource', [tenants[0]!], 48 * 30);
    const over = await overbookings(db.url);
    const rss = server.peakRssMb();
    console.log(`machine: ${machine()}; ${CLIENTS} clients, ${SECONDS}s per scenario`);
    console.table([spread, hot]);
    console.log(`overbookings: ${over}; server peak RSS: ${rss} MB`);
    console.log(`steady ${calm.rate} bookings/s for ${SECONDS}s (${calm.created} of ${calm.requests} created): p50 ${calm.p50_ms} ms, p99 ${calm.p99_ms} ms; CPU per booking: service ${calm.server_cpu_ms_per_booking} ms, PostgreSQL ${calm.postgres_cpu_ms_per_booking} ms`);
    console.log(JSON.stringify({ name: 'booking', clients: CLIENTS, bookings_per_s: spread.bookings_per_s, p50_ms: spread.p50_ms, p99_ms: spread.p99_ms, conflict_rate: spread.conflict_rate, errors: spread.errors + hot.errors, hot_bookings_per_s: hot.bookings_per_s, hot_p99_ms: hot.p99_ms, hot_conflict_rate: hot.conflict_rate, steady_rate: calm.rate, steady_p99_ms: calm.p99_ms, server_cpu_ms_per_booking: calm.server_cpu_ms_per_booking, postgres_cpu_ms_per_booking: calm.postgres_cpu_ms_per_booking, overbookings: over, peak_rss_mb: rss }));
  } finally {
    await server.stop();
    await db.stop();
  }
}

await main();
