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
const TENANT_COLS = 'id, name, slug, timezone, slot_minutes, business_hours, created_at';
let TenantRepository = class TenantRepository {
    db;
    constructor(db) {
        this.db = db;
    }
    async insert(m, t) {
        const rows = await m.query(`INSERT INTO tenants (name, slug, timezone, slot_minutes, business_hours) VALUES ($1, $2, $3, $4, $5::jsonb) RETURNING ${TENANT_COLS}`, [t.name, t.slug, t.timezone, t.slot_minutes, JSON.stringify(t.business_hours)]);
        return rows[0];
    }
    async insertResource(m, tenantId, name, isDefault) {
        const rows = await m.query(`INSERT INTO resources (tenant_id, name, is_default) VALUES ($1, $2, $3) RETURNING id, tenant_id, name, is_default`, [tenantId, name, isDefault]);
        return rows[0];
    }
    async findById(id) {
        const rows = await this.db.query(`SELECT ${TENANT_COLS} FROM tenants WHERE id = $1`, [id]);
        return rows[0] ?? null;
    }
    async findBySlug(slug) {
        const rows = await this.db.query(`SELECT ${TENANT_COLS} FROM tenants WHERE slug = $1`, [slug]);
        return rows[0] ?? null;
    }
    async list(limit) {
        return this.db.query(`SELECT ${TENANT_COLS} FROM tenants ORDER BY created_at, id LIMIT $1`, [limit]);
    }
    async resources(tenantId) {
        return this.db.query(`SELECT id, tenant_id, name, is_default FROM resources WHERE tenant_id = $1 ORDER BY is_default DESC, created_at, id`, [tenantId]);
    }
};
TenantRepository = __decorate([
    Injectable(),
    __param(0, InjectDataSource()),
    __metadata("design:paramtypes", [Function])
], TenantRepository);
export { TenantRepository };
