import type pg from 'pg';

const QUIET_MS = 300;

/**
 * Waits until a tenant's audit trail is quiet and answers its rows counted by event type: every
 * domain event of the tenant was handled (the handlers' audit rows commit before that is marked),
 * at least `min` rows of each named type are in (request rows are buffered), and nothing changed
 * for QUIET_MS (writers that buffer, like the policy engine's). `db` is a superuser connection.
 */
export async function settleAuditTrail(db: pg.Client, tenantId: string, min: Record<string, number> = {}, timeoutMs = 20_000): Promise<Record<string, number>> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  let since = Date.now();
  for (;;) {
    const rows = await db.query<{ event_type: string; n: number }>(
      `SELECT event_type, count(*)::int AS n FROM audit_log WHERE tenant_id = $1 GROUP BY event_type ORDER BY event_type`,
      [tenantId],
    );
    const pending = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM domain_events WHERE tenant_id = $1 AND processed_at IS NULL`, [tenantId]);
    const counts: Record<string, number> = Object.fromEntries(rows.rows.map((r) => [r.event_type, r.n]));
    const state = JSON.stringify({ counts, unhandled_events: pending.rows[0]!.n });
    if (state !== last) {
      last = state;
      since = Date.now();
    }
    const complete = pending.rows[0]!.n === 0 && Object.entries(min).every(([type, n]) => (counts[type] ?? 0) >= n);
    if (complete && Date.now() - since >= QUIET_MS) return counts;
    if (Date.now() > deadline) throw new Error(`the audit trail of ${tenantId} did not settle in ${timeoutMs} ms: ${state}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
