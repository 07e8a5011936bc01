import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';

export type AutonomyMode = 'on' | 'off' | 'shadow';

export interface AutonomySettingRow {
  tenant_id: string | null;
  mode: AutonomyMode;
  updated_at: Date;
  updated_by: string;
}

/** The runtime toggle: one global row and optional per-tenant overrides. */
@Injectable()
export class AutonomySettingsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async all(): Promise<AutonomySettingRow[]> {
    return this.db.query(`SELECT tenant_id, mode, updated_at, updated_by FROM autonomy_settings ORDER BY tenant_id NULLS FIRST`);
  }

  async upsert(m: EntityManager, tenantId: string | null, mode: AutonomyMode, actor: string): Promise<AutonomySettingRow> {
    const rows: AutonomySettingRow[] = await m.query(
      `INSERT INTO autonomy_settings (tenant_id, mode, updated_by) VALUES ($1, $2, $3)
       ON CONFLICT ((coalesce(tenant_id, '00000000-0000-0000-0000-000000000000'::uuid)))
       DO UPDATE SET mode = EXCLUDED.mode, updated_by = EXCLUDED.updated_by, updated_at = now()
       RETURNING tenant_id, mode, updated_at, updated_by`,
      [tenantId, mode, actor],
    );
    return rows[0]!;
  }

  async tenantExists(tenantId: string): Promise<boolean> {
    const rows: unknown[] = await this.db.query(`SELECT 1 FROM tenants WHERE id = $1`, [tenantId]);
    return rows.length > 0;
  }
}
