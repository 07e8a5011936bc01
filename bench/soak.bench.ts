import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { BENCH_ADMIN_KEY, benchDatabase, machine, percentile, request, startServer, type ServerProcess } from './bench-support.js';

/**
 * npm run bench:soak — steady booking traffic with autonomy on, one API process and two worker
 * processes on one PostgreSQL, for minutes. Prints throughput, p50/p99, RSS and queue depth over
 * time, writes an SVG chart to bench/results/, and the RSS trend (MB per minute, after warm-up).
 */
const RATE = Number(process.env.BENCH_RATE ?? 40);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 180);
const SAMPLE_MS = 5000;
const ALL_WEEK = Object.fromEntries(['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'].map((d) => [d, [['00:00', '24:00']]]));

function rssMb(pid: number | undefined): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 102.4) / 10 : NaN;
  } catch {
    return NaN;
  }
}

/** Least-squares slope of y over x. */
function slope(xs: number[], ys: number[]): number {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i]! - mx) * (ys[i]! - my);
    den += (xs[i]! - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

interface Sample {
  t: number;
  rss: number[];
  queue: number;
  outbox: number;
  booked: number;
}

function svgChart(samples: Sample[], names: string[]): string {
  const W = 900;
  const H = 260;
  const pad = 40;
  const maxT = Math.max(1, ...samples.map((s) => s.t));
  const panel = (title: string, series: { name: string; ys: number[]; color: string }[], y0: number) => {
    const maxY = Math.max(1, ...series.flatMap((s) => s.ys.filter(Number.isFinite)));
    const x = (t: number) => pad + ((W - 2 * pad) * t) / maxT;
    const y = (v: number) => y0 + H - pad - ((H - 2 * pad) * v) / maxY;
    const lines = series.map((s) => `<polyline fill="none" stroke="${s.color}" stroke-width="2" points="${samples.map((p, i) => `${x(p.t).toFixed(1)},${y(s.ys[i]!).toFixed(1)}`).join(' ')}"/>`);
    const legend = series.map((s, i) => `<text x="${pad + 10 + i * 160}" y="${y0 + 18}" fill="${s.color}" font-size="12">${s.name}</text>`);
    return [
      `<text x="${pad}" y="${y0 + H - 8}" font-size="11">0 s</text><text x="${W - pad - 30}" y="${y0 + H - 8}" font-size="11">${maxT.toFixed(0)} s</text>`,
      `<text x="4" y="${y0 + pad}" font-size="11">${maxY.toFixed(0)}</text><text x="${W / 2 - 60}" y="${y0 + 14}" font-size="13" font-weight="bold">${title}</text>`,
      `<rect x="${pad}" y="${y0 + pad}" width="${W - 2 * pad}" height="${H - 2 * pad}" fill="none" stroke="#ccc"/>`,
      ...lines,
      ...legend,
    ].join('\n');
  };
  const colors = ['#1f77b4', '#ff7f0e', '#2ca02c'];
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${2 * H}" font-family="sans-serif">
${panel('RSS (MB) per process', names.map((n, i) => ({ name: n, ys: samples.map((s) => s.rss[i]!), color: colors[i]! })), 0)}
${panel('queue depth (pending due + claimed jobs) and unsent notifications', [
    { name: 'jobs', ys: samples.map((s) => s.queue), color: '#d62728' },
    { name: 'outbox pending', ys: samples.map((s) => s.outbox), color: '#9467bd' },
  ], H)}
</svg>`;
}

async function main() {
  const db = await benchDatabase('soak');
  const common = { AUTONOMY_ENABLED: 'true', DB_POOL_SIZE: '10', AGENT_MAX_CONCURRENT_JOBS: '10' };
  const procs: { name: string; p: ServerProcess }[] = [
    { name: 'api', p: await startServer(db.url, { ...common, APP_ROLE: 'api' }) },
    { name: 'worker-1', p: await startServer(db.url, { ...common, APP_ROLE: 'worker' }) },
    { name: 'worker-2', p: await startServer(db.url, { ...common, APP_ROLE: 'worker' }) },
  ];
  const api = procs[0]!.p;
  const sql = new pg.Client({ connectionString: db.url });
  await sql.connect();
  const samples: Sample[] = [];
  const latencies: number[] = [];
  const statuses = new Map<number, number>();
  try {
    const tenants: { id: string; key: string }[] = [];
    for (let i = 0; i < 20; i++) {
      const r = await request(`${api.url}/api/tenants`, 'POST', BENCH_ADMIN_KEY, { name: `Soak ${i}`, slug: `soak-${i}`, timezone: 'Europe/Berlin', business_hours: ALL_WEEK });
      tenants.push({ id: r.body.id, key: r.body.api_key });
    }
    const started = Date.now();
    let booked = 0;
    const sampler = setInterval(() => {
      void (async () => {
        const q = await sql.query(`SELECT (SELECT count(*)::int FROM jobs WHERE (status = 'pending' AND run_at <= now()) OR status = 'claimed') AS q, (SELECT count(*)::int FROM notification_outbox WHERE status = 'pending') AS o`);
        samples.push({ t: (Date.now() - started) / 1000, rss: procs.map((x) => rssMb(x.p.proc.pid)), queue: q.rows[0].q, outbox: q.rows[0].o, booked });
      })();
    }, SAMPLE_MS);
    const base = Date.UTC(2031, 0, 1);
    const total = RATE * SECONDS;
    const inflight = new Set<Promise<void>>();
    for (let i = 0; i < total; i++) {
      const due = started + (i * 1000) / RATE;
      const wait = due - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const t = tenants[i % tenants.length]!;
      const start = new Date(base + Math.floor(i / tenants.length) * 30 * 60_000);
      const t0 = performance.now();
      const p = request(`${api.url}/api/appointments`, 'POST', t.key, { tenant_id: t.id, start: start.toISOString(), end: new Date(start.getTime() + 30 * 60_000).toISOString(), client_name: `Soak ${i}`, client_email: `s${i}@soak.example` })
        .then((r) => {
          latencies.push(performance.now() - t0);
          statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
          if (r.status === 201) booked++;
        })
        .catch(() => void statuses.set(0, (statuses.get(0) ?? 0) + 1))
        .finally(() => inflight.delete(p));
      inflight.add(p);
    }
    await Promise.all(inflight);
    await new Promise((r) => setTimeout(r, 5000));
    clearInterval(sampler);
    const elapsed = (Date.now() - started) / 1000;
    latencies.sort((a, b) => a - b);
    const sent = (await sql.query(`SELECT count(*)::int AS n FROM notification_outbox WHERE status = 'sent' AND template = 'confirmation'`)).rows[0].n as number;
    const warm = samples.filter((s) => s.t > Math.min(60, SECONDS / 3));
    const trends = procs.map((x, i) => ({ name: x.name, mb_per_min: +(slope(warm.map((s) => s.t), warm.map((s) => s.rss[i]!)) * 60).toFixed(2), first_mb: warm[0]?.rss[i], last_mb: warm[warm.length - 1]?.rss[i] }));
    const dir = path.resolve('bench/results');
    mkdirSync(dir, { recursive: true });
    const chart = path.join(dir, 'soak.svg');
    writeFileSync(chart, svgChart(samples, procs.map((x) => x.name)));
    console.log(`machine: ${machine()}; ${RATE} bookings/s for ${SECONDS}s; 1 api + 2 worker processes`);
    console.log(`statuses: ${[...statuses].map(([k, v]) => `${k}×${v}`).join(' ')}; confirmations sent ${sent}`);
    console.log(`booking latency p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms; throughput ${(booked / elapsed).toFixed(1)} bookings/s`);
    console.table(samples.map((s) => ({ t_s: Math.round(s.t), api_mb: s.rss[0], w1_mb: s.rss[1], w2_mb: s.rss[2], queue: s.queue, outbox: s.outbox, booked: s.booked })));
    console.table(trends);
    console.log(`chart: ${path.relative(process.cwd(), chart)}`);
    const maxTrend = Math.max(...trends.map((x) => Math.abs(x.mb_per_min)));
    console.log(JSON.stringify({ name: 'soak', rate: RATE, seconds: SECONDS, bookings: booked, confirmations_sent: sent, p50_ms: +percentile(latencies, 50).toFixed(1), p99_ms: +percentile(latencies, 99).toFixed(1), rss_trend_mb_per_min: Object.fromEntries(trends.map((x) => [x.name, x.mb_per_min])), max_abs_trend_mb_per_min: maxTrend, chart: path.relative(process.cwd(), chart) }));
  } finally {
    await sql.end();
    for (const x of procs) await x.p.stop();
    await db.stop();
  }
}

await main();
