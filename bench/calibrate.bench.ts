import pg from 'pg';
import { benchDatabase, machine, percentile } from './bench-support.js';

/**
 * npm run bench:calibrate — what the machine itself gives, to read the other figures against:
 * - the cost of one PostgreSQL round trip from Node (`SELECT $1` on one connection): wall time and
 *   this process's CPU time per round trip;
 * - the issues' reference loop for bookings: 16 `pg` clients, each booking a random free slot across
 *   50 tenants as SERIALIZABLE + per-resource advisory lock + EXCLUDE-checked insert + event row +
 *   audit row, no HTTP and none of the service (the issue quotes about 1,700/s, p99 37 ms).
 */
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const CLIENTS = 16;

async function roundTrip(url: string): Promise<{ wall_us: number; cpu_us: number }> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  for (let i = 0; i < 500; i++) await c.query('SELECT $1::int', [i]);
  const n = 5000;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await c.query('SELECT $1::int', [i]);
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  await c.end();
  return { wall_us: +((wall * 1000) / n).toFixed(1), cpu_us: +((cpu.user + cpu.system) / n).toFixed(1) };
}

async function bareBookings(url: string): Promise<{ per_s: number; p99_ms: number; conflicts: number }> {
  const pool = new pg.Pool({ connectionString: url, max: CLIENTS });
  const tenants = (
    await pool.query(
      `WITH t AS (INSERT INTO tenants (name, slug, timezone, slot_minutes, business_hours)
                  SELECT 'Calibrate ' || g, 'calibrate-' || g, 'UTC', 30, '{}'::jsonb FROM generate_series(1, 50) g RETURNING id)
       INSERT INTO resources (tenant_id, name, is_default) SELECT id, 'Room', true FROM t RETURNING tenant_id, id`,
    )
  ).rows as { tenant_id: string; id: string }[];
  const base = Date.UTC(2031, 0, 1);
  const latencies: number[] = [];
  let booked = 0;
  let conflicts = 0;
  const until = Date.now() + SECONDS * 1000;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (Date.now() < until) {
        const r = tenants[Math.floor(Math.random() * tenants.length)]!;
        const start = new Date(base + Math.floor(Math.random() * 48 * 365) * 1_800_000);
        const c = await pool.connect();
        const a = performance.now();
        try {
          await c.query('BEGIN ISOLATION LEVEL SERIALIZABLE');
          await c.query('SELECT pg_advisory_xact_lock(hashtextextended($1::text, 0))', [r.id]);
          const apt = await c.query(
            `INSERT INTO appointments (tenant_id, resource_id, client_name, client_email, start_time, end_time) VALUES ($1, $2, 'Calibrate', 'c@calibrate.example', $3, $4) RETURNING id`,
            [r.tenant_id, r.id, start, new Date(start.getTime() + 1_800_000)],
          );
          await c.query(
            `WITH ev AS (INSERT INTO domain_events (id, tenant_id, type, payload) VALUES (gen_random_uuid(), $1, 'BookingCreated', $2))
             INSERT INTO audit_log (tenant_id, event_type, actor, payload) VALUES ($1, 'event.BookingCreated', 'calibrate', $2)`,
            [r.tenant_id, JSON.stringify({ appointment_id: apt.rows[0].id })],
          );
          await c.query('COMMIT');
          booked++;
        } catch {
          await c.query('ROLLBACK').catch(() => undefined);
          conflicts++;
        } finally {
          c.release();
          latencies.push(performance.now() - a);
        }
      }
    }),
  );
  const elapsed = (performance.now() - t0) / 1000;
  await pool.end();
  latencies.sort((x, y) => x - y);
  return { per_s: Math.round(booked / elapsed), p99_ms: +percentile(latencies, 99).toFixed(1), conflicts };
}

async function main(): Promise<void> {
  const db = await benchDatabase('calibrate');
  try {
    const rt = await roundTrip(db.url);
    console.log(`one round trip (SELECT $1, one connection): ${rt.wall_us} µs wall, ${rt.cpu_us} µs of this process's CPU`);
    const bare = await bareBookings(db.url);
    console.log(`reference booking loop (${CLIENTS} pg clients, no HTTP): ${bare.per_s} bookings/s, p99 ${bare.p99_ms} ms, ${bare.conflicts} conflicts`);
    console.log(`machine: ${machine()}`);
    console.log(JSON.stringify({ name: 'calibrate', round_trip_us: rt.wall_us, round_trip_cpu_us: rt.cpu_us, bare_bookings_per_s: bare.per_s, bare_p99_ms: bare.p99_ms }));
  } finally {
    await db.stop();
  }
}

await main();
