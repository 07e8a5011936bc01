import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { returning } from '../../../common/database/returning.js';
import type { Hold } from './hold.types.js';

const HOLD_COLS = 'id, tenant_id, resource_id, start_time, end_time, expires_at, status, created_at';

@Injectable()
export class HoldRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async insert(m: EntityManager, h: { tenant_id: string; resource_id: string; start: Date; end: Date; ttlSeconds: number }): Promise<Hold> {
    const rows: Hold[] = await m.query(
      `INSERT INTO availability_holds (tenant_id, resource_id, start_time, end_time, expires_at)
       VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5)) RETURNING ${HOLD_COLS}`,
      [h.tenant_id, h.resource_id, h.start, h.end, h.ttlSeconds],
    );
    return rows[0]!;
  }

  async findForUpdate(m: EntityManager, id: string, tenantId: string): Promise<(Hold & { expired_now: boolean }) | null> {
    const rows: (Hold & { expired_now: boolean })[] = await m.query(
      `SELECT ${HOLD_COLS}, (expires_at <= now()) AS expired_now FROM availability_holds WHERE id = $1 AND tenant_id = $2 FOR UPDATE`,
      [id, tenantId],
    );
    return rows[0] ?? null;
  }

  async markConfirmed(m: EntityManager, id: string): Promise<void> {
    await m.query(`UPDATE availability_holds SET status = 'confirmed', updated_at = now() WHERE id = $1`, [id]);
  }

  /**
   * Expires active holds past their TTL (all of them, or those overlapping one resource interval).
   * The status transition happens once per hold, so its HoldExpired event is recorded exactly once.
   */
  async expireDue(m: EntityManager, scope?: { tenantId: string; resourceId: string; start: Date; end: Date }, limit = 500): Promise<Hold[]> {
    if (scope) {
      return returning<Hold>(await m.query(
        `UPDATE availability_holds SET status = 'expired', updated_at = now()
          WHERE status = 'active' AND expires_at <= now() AND tenant_id = $1 AND resource_id = $2
            AND tstzrange(start_time, end_time) && tstzrange($3, $4)
          RETURNING ${HOLD_COLS}`,
        [scope.tenantId, scope.resourceId, scope.start, scope.end],
      ));
    }
    return returning<Hold>(await m.query(
      `WITH due AS (SELECT id FROM availability_holds WHERE status = 'active' AND expires_at <= now()
                     ORDER BY expires_at LIMIT $1 FOR UPDATE SKIP LOCKED)
       UPDATE availability_holds h SET status = 'expired', updated_at = now() FROM due WHERE h.id = due.id
       RETURNING h.id, h.tenant_id, h.resource_id, h.start_time, h.end_time, h.expires_at, h.status, h.created_at`,
      [limit],
    ));
  }

  /** Is any active, unexpired hold (other than `exceptHoldId`) over this interval? */
  async overlapsActive(m: EntityManager, tenantId: string, resourceId: string, start: Date, end: Date, exceptHoldId?: string): Promise<boolean> {
    const rows: unknown[] = await m.query(
      `SELECT 1 FROM availability_holds
        WHERE tenant_id = $1 AND resource_id = $2 AND status = 'active' AND expires_at > now()
          AND tstzrange(start_time, end_time) && tstzrange($3, $4) AND ($5::uuid IS NULL OR id <> $5) LIMIT 1`,
      [tenantId, resourceId, start, end, exceptHoldId ?? null],
    );
    return rows.length > 0;
  }

  async activeIntervals(tenantId: string, resourceId: string, from: Date, to: Date): Promise<{ start_time: Date; end_time: Date }[]> {
    return this.db.query(
      `SELECT start_time, end_time FROM availability_holds
        WHERE tenant_id = $1 AND resource_id = $2 AND status = 'active' AND expires_at > now()
          AND tstzrange(start_time, end_time) && tstzrange($3, $4)`,
      [tenantId, resourceId, from, to],
    );
  }
}
