import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { returning } from '../../common/database/returning.js';
import type { PolicyRule } from './engine/policy.types.js';

export interface PolicyRuleRow {
  id: string;
  tenant_id: string | null;
  action: string;
  effect: 'allow' | 'deny';
  conditions: unknown;
  priority: number;
  is_active: boolean;
  description: string | null;
  is_default: boolean;
  created_at: Date;
  updated_at: Date;
}

const COLS = 'id, tenant_id, action, effect, conditions, priority, is_active, description, is_default, created_at, updated_at';

export function toRule(r: PolicyRuleRow): PolicyRule {
  return { id: r.id, tenantId: r.tenant_id, action: r.action, effect: r.effect, conditions: r.conditions, priority: r.priority, isActive: r.is_active };
}

/** The SQL of policy rules. Rules are read per (tenant, action): the cost does not grow with the table. */
@Injectable()
export class PolicyRuleRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Active rules that can apply to a tenant's action: the global ones and the tenant's own. */
  async activeFor(action: string, tenantId: string | null, m?: EntityManager): Promise<PolicyRuleRow[]> {
    return (m ?? this.db.manager).query(
      `SELECT ${COLS} FROM policy_rules WHERE is_active AND action = $1 AND (tenant_id IS NULL OR tenant_id = $2::uuid)`,
      [action, tenantId],
    );
  }

  /** Every rule of a scope (a tenant's + global, or all for the admin). */
  async list(filter: { tenantId?: string; includeGlobal: boolean; action?: string; limit: number }): Promise<PolicyRuleRow[]> {
    return this.db.query(
      `SELECT ${COLS} FROM policy_rules
        WHERE ($1::uuid IS NULL OR tenant_id = $1 OR ($2 AND tenant_id IS NULL))
          AND ($3::text IS NULL OR action = $3)
        ORDER BY action, priority DESC, tenant_id NULLS FIRST, id LIMIT $4`,
      [filter.tenantId ?? null, filter.includeGlobal, filter.action ?? null, filter.limit],
    );
  }

  async findById(id: string, m?: EntityManager): Promise<PolicyRuleRow | null> {
    const rows: PolicyRuleRow[] = await (m ?? this.db.manager).query(`SELECT ${COLS} FROM policy_rules WHERE id = $1`, [id]);
    return rows[0] ?? null;
  }

  async insert(m: EntityManager, r: { tenant_id: string | null; action: string; effect: string; conditions: unknown; priority: number; is_active: boolean; description: string | null }): Promise<PolicyRuleRow> {
    const rows: PolicyRuleRow[] = await m.query(
      `INSERT INTO policy_rules (tenant_id, action, effect, conditions, priority, is_active, description)
       VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7) RETURNING ${COLS}`,
      [r.tenant_id, r.action, r.effect, JSON.stringify(r.conditions ?? {}), r.priority, r.is_active, r.description],
    );
    return rows[0]!;
  }

  async update(m: EntityManager, id: string, patch: { effect?: string; conditions?: unknown; priority?: number; is_active?: boolean; description?: string | null }): Promise<PolicyRuleRow | null> {
    const rows = returning<PolicyRuleRow>(
      await m.query(
        `UPDATE policy_rules SET
            effect = coalesce($2, effect),
            conditions = coalesce($3::jsonb, conditions),
            priority = coalesce($4, priority),
            is_active = coalesce($5, is_active),
            description = CASE WHEN $6::boolean THEN $7 ELSE description END,
            updated_at = now()
          WHERE id = $1 RETURNING ${COLS}`,
        [id, patch.effect ?? null, patch.conditions === undefined ? null : JSON.stringify(patch.conditions), patch.priority ?? null, patch.is_active ?? null, patch.description !== undefined, patch.description ?? null],
      ),
    );
    return rows[0] ?? null;
  }

  async delete(m: EntityManager, id: string): Promise<boolean> {
    const rows = returning<{ id: string }>(await m.query(`DELETE FROM policy_rules WHERE id = $1 RETURNING id`, [id]));
    return rows.length > 0;
  }

  /** Idempotent seeding of the global defaults (one per action, kept if an operator changed it). */
  async seedDefaults(m: EntityManager, rules: readonly { action: string; effect: string; priority: number; conditions: unknown; description: string }[]): Promise<number> {
    const rows = returning<{ id: string }>(
      await m.query(
        `INSERT INTO policy_rules (tenant_id, action, effect, conditions, priority, is_active, description, is_default)
         SELECT NULL, a, e, c::jsonb, p, true, d, true FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::text[]) AS t(a, e, c, p, d)
         ON CONFLICT (action) WHERE is_default AND tenant_id IS NULL DO NOTHING RETURNING id`,
        [rules.map((r) => r.action), rules.map((r) => r.effect), rules.map((r) => JSON.stringify(r.conditions)), rules.map((r) => r.priority), rules.map((r) => r.description)],
      ),
    );
    return rows.length;
  }

  /** Counters some conditions need, from the notification outbox. */
  async counters(recipient: string | undefined, appointmentId: string | undefined, nowIso: string, m?: EntityManager): Promise<{ recipientToday: number; forAppointment: number }> {
    const rows: { r: number; a: number }[] = await (m ?? this.db.manager).query(
      `SELECT
         (SELECT count(*)::int FROM notification_outbox WHERE $1::text IS NOT NULL AND recipient = $1 AND created_at > $3::timestamptz - interval '1 day') AS r,
         (SELECT count(*)::int FROM notification_outbox WHERE $2::uuid IS NOT NULL AND appointment_id = $2) AS a`,
      [recipient ?? null, appointmentId ?? null, nowIso],
    );
    return { recipientToday: rows[0]?.r ?? 0, forAppointment: rows[0]?.a ?? 0 };
  }
}
