var __decorate = (this && this.__decorate) || function (decorators, target, key, desc) {
    var c = arguments.length, r = c < 3 ? target : desc === null ? desc = Object.getOwnPropertyDescriptor(target, key) : desc, d;
    if (typeof Reflect === "object" && typeof Reflect.decorate === "function") r = Reflect.decorate(decorators, target, key, desc);
    else for (var i = decorators.length - 1; i >= 0; i--) if (d = decorators[i]) r = (c < 3 ? d(r) : c > 3 ? d(target, key, r) : d(target, key)) || r;
    return c > 3 && r && Object.defineProperty(target, key, r), r;
};
var __metadata = (this && this.__metadata) || function (k, v) {
    if (typeof Reflect === "object" && typeof Reflect.metadata === "function") return Reflect.metadata(k, v);
};
var __param = (this && this.__param) || function (paramIndex, decorator) {
    return function (target, key) { decorator(target, key, paramIndex); }
};
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { returning } from '../../../common/database/returning.js';
const HOLD_COLS = 'id, tenant_id, resource_id, start_time, end_time, expires_at, status, created_at';
let HoldRepository = class HoldRepository {
    db;
    constructor(db) {
        this.db = db;
    }
    async insert(m, h) {
        const rows = await m.query(`INSERT INTO availability_holds (tenant_id, resource_id, start_time, end_time, expires_at)
       VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5)) RETURNING ${HOLD_COLS}`, [h.tenant_id, h.resource_id, h.start, h.end, h.ttlSeconds]);
        return rows[0];
    }
    async findForUpdate(m, id, tenantId) {
        const rows = await m.query(`SELECT ${HOLD_COLS}, (expires_at <= now()) AS expired_now FROM availability_holds WHERE id = $1 AND tenant_id = $2 FOR UPDATE`, [id, tenantId]);
        return rows[0] ?? null;
    }
    async markConfirmed(m, id) {
        await m.query(`UPDATE availability_holds SET status = 'confirmed', updated_at = now() WHERE id = $1`, [id]);
    }
    /**
     * Expires active holds past their TTL (all of them, or those overlapping one resource interval).
     * The status transition happens once per hold, so its HoldExpired event is recorded exactly once.
     */
    async expireDue(m, scope, limit = 500) {
        if (scope) {
            return returning(await m.query(`UPDATE availability_holds SET status = 'expired', updated_at = now()
          WHERE status = 'active' AND expires_at <= now() AND tenant_id = $1 AND resource_id = $2
            AND tstzrange(start_time, end_time) && tstzrange($3, $4)
          RETURNING ${HOLD_COLS}`, [scope.tenantId, scope.resourceId, scope.start, scope.end]));
        }
        return returning(await m.query(`WITH due AS (SELECT id FROM availability_holds WHERE status = 'active' AND expires_at <= now()
                     ORDER BY expires_at LIMIT $1 FOR UPDATE SKIP LOCKED)
       UPDATE availability_holds h SET status = 'expired', updated_at = now() FROM due WHERE h.id = due.id
       RETURNING h.id, h.tenant_id, h.resource_id, h.start_time, h.end_time, h.expires_at, h.status, h.created_at`, [limit]));
    }
    /**
     * Takes the resource's booking lock and answers whether an active, unexpired hold covers the
     * interval, in one round trip (the hot path of a direct booking).
     */
    async lockAndCheckHeld(m, tenantId, resourceId, start, end) {
        const rows = await m.query(`SELECT pg_advisory_xact_lock(hashtextextended($2::uuid::text, 0)) IS NULL AS locked,
              EXISTS (SELECT 1 FROM availability_holds
                       WHERE tenant_id = $1 AND resource_id = $2 AND status = 'active' AND expires_at > now()
                         AND tstzrange(start_time, end_time) && tstzrange($3, $4)) AS held`, [tenantId, resourceId, start, end]);
        return rows[0]?.held === true;
    }
    /** Is any active, unexpired hold (other than `exceptHoldId`) over this interval? */
    async overlapsActive(m, tenantId, resourceId, start, end, exceptHoldId) {
        const rows = await m.query(`SELECT 1 FROM availability_holds
        WHERE tenant_id = $1 AND resource_id = $2 AND status = 'active' AND expires_at > now()
          AND tstzrange(start_time, end_time) && tstzrange($3, $4) AND ($5::uuid IS NULL OR id <> $5) LIMIT 1`, [tenantId, resourceId, start, end, exceptHoldId ?? null]);
        return rows.length > 0;
    }
    async activeIntervals(tenantId, resourceId, from, to) {
        return this.db.query(`SELECT start_time, end_time FROM availability_holds
        WHERE tenant_id = $1 AND resource_id = $2 AND status = 'active' AND expires_at > now()
          AND tstzrange(start_time, end_time) && tstzrange($3, $4)`, [tenantId, resourceId, from, to]);
    }
};
HoldRepository = __decorate([
    Injectable(),
    __param(0, InjectDataSource()),
    __metadata("design:paramtypes", [Function])
], HoldRepository);
export { HoldRepository };
