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
export const APPOINTMENT_COLS = `id, tenant_id, resource_id, hold_id, client_name, client_email, client_phone, service,
  start_time, end_time, status, version, checked_in_at, cancelled_at, calendar_sync_status, created_at, updated_at`;
/** The SQL of appointments. Every read of tenant data takes the tenant id (undefined only for the admin). */
let AppointmentRepository = class AppointmentRepository {
    db;
    constructor(db) {
        this.db = db;
    }
    async insert(m, a) {
        const rows = await m.query(`INSERT INTO appointments (tenant_id, resource_id, hold_id, client_name, client_email, client_phone, service, start_time, end_time)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING ${APPOINTMENT_COLS}`, [a.tenant_id, a.resource_id, a.hold_id, a.client_name, a.client_email, a.client_phone, a.service, a.start, a.end]);
        return rows[0];
    }
    async findForUpdate(m, id, tenantId) {
        const rows = await m.query(`SELECT ${APPOINTMENT_COLS} FROM appointments WHERE id = $1 AND ($2::uuid IS NULL OR tenant_id = $2) FOR UPDATE`, [id, tenantId ?? null]);
        return rows[0] ?? null;
    }
    async findById(id, tenantId, m) {
        const rows = await (m ?? this.db.manager).query(`SELECT ${APPOINTMENT_COLS} FROM appointments WHERE id = $1 AND ($2::uuid IS NULL OR tenant_id = $2)`, [id, tenantId ?? null]);
        return rows[0] ?? null;
    }
    async cancel(m, id) {
        const rows = returning(await m.query(`UPDATE appointments SET status = 'cancelled', cancelled_at = now(), version = version + 1, updated_at = now()
        WHERE id = $1 RETURNING ${APPOINTMENT_COLS}`, [id]));
        return rows[0];
    }
    async move(m, id, start, end) {
        const rows = returning(await m.query(`UPDATE appointments SET start_time = $2, end_time = $3, version = version + 1, updated_at = now()
        WHERE id = $1 RETURNING ${APPOINTMENT_COLS}`, [id, start, end]));
        return rows[0];
    }
    async checkIn(m, id) {
        const rows = returning(await m.query(`UPDATE appointments SET checked_in_at = coalesce(checked_in_at, now()), updated_at = now() WHERE id = $1 RETURNING ${APPOINTMENT_COLS}`, [id]));
        return rows[0];
    }
    async setStatus(m, id, status, expectedVersion) {
        const rows = returning(await m.query(`UPDATE appointments SET status = $2, version = version + 1, updated_at = now()
        WHERE id = $1 AND version = $3 RETURNING ${APPOINTMENT_COLS}`, [id, status, expectedVersion]));
        return rows[0] ?? null;
    }
    async setCalendarSyncStatus(m, id, status) {
        await m.query(`UPDATE appointments SET calendar_sync_status = $2, updated_at = now() WHERE id = $1`, [id, status]);
    }
    async list(f) {
        return this.db.query(`SELECT ${APPOINTMENT_COLS} FROM appointments
        WHERE ($1::uuid IS NULL OR tenant_id = $1)
          AND ($2::timestamptz IS NULL OR end_time > $2)
          AND ($3::timestamptz IS NULL OR start_time < $3)
          AND ($4::text IS NULL OR status = $4)
          AND ($5::timestamptz IS NULL OR (start_time, id) > ($5, $6::uuid))
        ORDER BY start_time, id
        LIMIT $7`, [f.tenantId ?? null, f.from ?? null, f.to ?? null, f.status ?? null, f.after?.start ?? null, f.after?.id ?? null, f.limit]);
    }
    /** Confirmed appointments of a resource overlapping [from, to). */
    async busyIntervals(tenantId, resourceId, from, to) {
        return this.db.query(`SELECT start_time, end_time FROM appointments
        WHERE tenant_id = $1 AND resource_id = $2 AND status = 'confirmed' AND tstzrange(start_time, end_time) && tstzrange($3, $4)`, [tenantId, resourceId, from, to]);
    }
};
AppointmentRepository = __decorate([
    Injectable(),
    __param(0, InjectDataSource()),
    __metadata("design:paramtypes", [Function])
], AppointmentRepository);
export { AppointmentRepository };
