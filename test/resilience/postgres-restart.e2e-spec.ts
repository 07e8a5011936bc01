import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../../src/common/database/embedded-postgres.js';
import { newClient, newTenant, slotAt } from '../support/builders.js';
import { startChildApp, type ChildApp } from '../support/child-app.js';
import { rawRequest } from '../support/raw-http.js';
import { TEST_ADMIN_KEY } from '../support/test-app.js';
import { TEST_TIMEOUT_MS, count, LONG, sleep, waitUntil } from './resilience-support.js';

const DOWN_MS = LONG ? 10_000 : 3_000;
const LOAD_BEFORE_MS = LONG ? 10_000 : 2_000;
const LOAD_AFTER_MS = LONG ? 10_000 : 3_000;

let root: string;
let server: EmbeddedDatabase | null = null;
let app: ChildApp | null = null;
let sql: pg.Client | null = null;
beforeAll(async () => {
  root = mkdtempSync(path.join(tmpdir(), 'art-pg-restart-'));
  chmodSync(root, 0o755); // as root, the package runs postgres as the `postgres` OS user
  server = await startEmbeddedPostgres(path.join(root, 'pg'));
}, 120_000);
afterAll(async () => {
  await app?.stop('SIGKILL');
  await sql?.end().catch(() => undefined);
  await server?.stop().catch(() => undefined);
  if (root) rmSync(root, { recursive: true, force: true });
});

interface Sample {
  at: number;
  status: string;
  id?: string;
}

describe('PostgreSQL restarted under load while the app keeps running', () => {
  it(`answers 503 only while the database is down (${DOWN_MS / 1000} s), /health recovers within 10 s without an app restart, nothing committed is lost`, async () => {
    const port = server!.port;
    const dbUrl = server!.adminUrl.replace(/\/postgres$/, '/art_pg_restart');
    app = await startChildApp(dbUrl, { AUTONOMY_ENABLED: 'true', DB_POOL_SIZE: '10', AGENT_JOB_POLL_INTERVAL_MS: '200', NOTIFICATION_POLL_INTERVAL_MS: '200', EVENT_RELAY_INTERVAL_MS: '200', EVENT_RELAY_GRACE_MS: '1000' });
    const tenant = await newTenant(app.url, TEST_ADMIN_KEY);

    const samples: Sample[] = [];
    let stopLoad = false;
    let slot = 0;
    const loader = async () => {
      while (!stopLoad) {
        const n = slot++;
        const at = Date.now();
        try {
          const r = await rawRequest(`${app!.url}/api/appointments`, 'POST', tenant.apiKey, { tenant_id: tenant.id, ...slotAt(n), ...newClient() });
          samples.push({ at, status: String(r.status), id: r.status === 201 ? r.body.id : undefined });
          if (r.status !== 201) await sleep(50);
        } catch {
          samples.push({ at, status: 'net' });
          await sleep(50);
        }
      }
    };
    const health: { at: number; status: number }[] = [];
    const prober = (async () => {
      while (!stopLoad) {
        const at = Date.now();
        const status = await fetch(`${app!.url}/health`).then((r) => r.status).catch(() => 0);
        health.push({ at, status });
        await sleep(100);
      }
    })();
    const loaders = Array.from({ length: 4 }, loader);

    await sleep(LOAD_BEFORE_MS);
    const stopAt = Date.now();
    await server!.stop();
    const downAt = Date.now();
    await sleep(DOWN_MS);
    server = await startEmbeddedPostgres(path.join(root, 'pg'), { port });
    const upAt = Date.now();
    const recoveryMs = await waitUntil('/health 200 after the restart', async () => health.some((h) => h.at >= upAt && h.status === 200), 10_000);
    const healthyAt = health.find((h) => h.at >= upAt && h.status === 200)!.at;
    await sleep(LOAD_AFTER_MS);
    stopLoad = true;
    await Promise.all([...loaders, prober]);

    // Nothing but 201 before the stop and after recovery; only 503 in between; never a 5xx other than 503, never a dead connection.
    const byStatus: Record<string, number> = {};
    for (const s of samples) byStatus[s.status] = (byStatus[s.status] ?? 0) + 1;
    const unexpected = samples.filter((s) => s.status !== '201' && s.status !== '503');
    const errorsOutsideOutage = samples.filter((s) => s.status !== '201' && (s.at < stopAt - 1000 || s.at > healthyAt + 1000));
    const lastErrorAt = Math.max(0, ...samples.filter((s) => s.status !== '201').map((s) => s.at));
    const firstOkAfter = samples.find((s) => s.at > upAt && s.status === '201')?.at ?? NaN;

    sql = new pg.Client({ connectionString: dbUrl });
    await sql.connect();
    const created = samples.filter((s) => s.id).map((s) => s.id!);
    // No committed booking lost; every BookingCreated handled; one completed confirmation job per booking.
    const present = await count(sql, `SELECT count(*)::int AS n FROM appointments WHERE id = ANY($1::uuid[])`, [created]);
    const appointments = await count(sql, `SELECT count(*)::int AS n FROM appointments WHERE tenant_id = $1`, [tenant.id]);
    await waitUntil(
      'every committed booking handled and confirmed',
      async () =>
        (await count(sql!, `SELECT count(*)::int AS n FROM domain_events WHERE tenant_id = $1 AND processed_at IS NULL`, [tenant.id])) === 0 &&
        (await count(sql!, `SELECT count(*)::int AS n FROM appointments a WHERE a.tenant_id = $1 AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.appointment_id = a.id AND j.type = 'send_confirmation' AND j.status = 'completed')`, [tenant.id])) === 0 &&
        (await count(sql!, `SELECT count(*)::int AS n FROM notification_outbox WHERE tenant_id = $1 AND status <> 'sent'`, [tenant.id])) === 0,
      20_000,
      async () => JSON.stringify((await sql!.query(`SELECT type, status, count(*)::int FROM jobs WHERE tenant_id = $1 GROUP BY 1, 2`, [tenant.id])).rows) + app!.output().slice(-3000),
    );
    const jobsPerAppointment = await count(sql, `SELECT count(*)::int AS n FROM (SELECT appointment_id FROM jobs WHERE tenant_id = $1 AND type = 'send_confirmation' GROUP BY 1 HAVING count(*) > 1) d`, [tenant.id]);
    const outboxRows = await count(sql, `SELECT count(*)::int AS n FROM notification_outbox WHERE tenant_id = $1 AND template = 'confirmation'`, [tenant.id]);

    const figures = {
      requests: samples.length,
      byStatus,
      stopMs: downAt - stopAt,
      downMs: upAt - downAt,
      healthRecoveryMs: recoveryMs,
      bookingRecoveryMs: firstOkAfter - upAt,
      lastErrorAfterUpMs: lastErrorAt - upAt,
      committed201: created.length,
      lost: created.length - present,
      appointments,
      committedWithout201: appointments - created.length,
      duplicateConfirmationJobs: jobsPerAppointment,
      confirmationOutboxRows: outboxRows,
      appRestarted: app.proc.exitCode !== null,
    };
    console.log(`[resilience] PostgreSQL restart: ${JSON.stringify(figures)}`);
    if (unexpected.length > 0) console.log(app.output().split('\n').filter((l) => /unhandled|error/i.test(l)).slice(0, 20).join('\n'));
    expect(unexpected).toEqual([]);
    expect(errorsOutsideOutage).toEqual([]);
    expect(byStatus['503'] ?? 0).toBeGreaterThan(0); // the outage was seen
    expect(recoveryMs).toBeLessThan(10_000);
    expect(figures.lost).toBe(0);
    // A 503 commits nothing, except (in principle) a COMMIT whose acknowledgement died with the server: printed as committedWithout201.
    expect(appointments).toBeGreaterThanOrEqual(created.length);
    expect(jobsPerAppointment).toBe(0);
    expect(outboxRows).toBe(appointments);
    expect(app.proc.exitCode).toBeNull();
    expect(app.output()).not.toMatch(/unhandled error|correlation_id=.*INTERNAL/i);
  }, TEST_TIMEOUT_MS);
});
