import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { BusinessHours } from './business-hours.js';
import type { Resource, Tenant } from './tenant.types.js';

const TENANT_COLS = 'id, name, slug, timezone, slot_minutes, business_hours, created_at';

@Injectable()
export class TenantRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async insert(m: EntityManager, t: { name: string; slug: string; timezone: string; slot_minutes: number; business_hours: BusinessHours }): Promise<Tenant> {
    const rows: Tenant[] = await m.query(
      `INSERT INTO tenants (name, slug, timezone, slot_minutes, business_hours) VALUES ($1, $2, $3, $4, $5::jsonb) RETURNING ${TENANT_COLS}`,
      [t.name, t.slug, t.timezone, t.slot_minutes, JSON.stringify(t.business_hours)],
    );
    return rows[0]!;
  }

  async insertResource(m: EntityManager, tenantId: string, name: string, isDefault: boolean): Promise<Resource> {
    const rows: Resource[] = await m.query(
      `INSERT INTO resources (tenant_id, name, is_default) VALUES ($1, $2, $3) RETURNING id, tenant_id, name, is_default`,
      [tenantId, name, isDefault],
    );
    return rows[0]!;
  }

  async findById(id: string, m?: EntityManager): Promise<Tenant | null> {
    const rows: Tenant[] = await (m ?? this.db.manager).query(`SELECT ${TENANT_COLS} FROM tenants WHERE id = $1`, [id]);
    return rows[0] ?? null;
  }

  async findBySlug(slug: string): Promise<Tenant | null> {
    const rows: Tenant[] = await this.db.query(`SELECT ${TENANT_COLS} FROM tenants WHERE slug = $1`, [slug]);
    return rows[0] ?? null;
  }

  async list(limit: number): Promise<Tenant[]> {
    return this.db.query(`SELECT ${TENANT_COLS} FROM tenants ORDER BY created_at, id LIMIT $1`, [limit]);
  }

  async resources(tenantId: string, m?: EntityManager): Promise<Resource[]> {
    return (m ?? this.db.manager).query(`SELECT id, tenant_id, name, is_default FROM resources WHERE tenant_id = $1 ORDER BY is_default DESC, created_at, id`, [tenantId]);
  }
}
