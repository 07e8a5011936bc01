import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { AppConfig } from '../../common/config/app-config.js';
import { APP_CONFIG } from '../../common/config/config.module.js';
import { PgListener } from '../../common/database/pg-listener.js';
import { compileRule, type CompiledRule } from './engine/policy-evaluator.js';
import { PolicyRuleRepository, toRule } from './policy-rule.repository.js';

export const POLICY_CHANNEL = 'policy_rules_changed';
const TTL_MS = 60_000;

interface Entry {
  rules: readonly CompiledRule[];
  needsCounters: boolean;
  loadedAt: number;
}

/**
 * Compiled rules per (tenant, action). Every write notifies (`pg_notify` inside the writing
 * transaction, so only committed changes are announced) and every instance drops the entry at once;
 * a lost LISTEN connection drops the whole cache. A TTL bounds staleness if all else fails.
 */
@Injectable()
export class PolicyRuleCache implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('PolicyRuleCache');
  private readonly entries = new Map<string, Entry>();
  private readonly loading = new Map<string, Promise<Entry>>();
  private listener: PgListener | null = null;
  private generation = 0;

  constructor(
    private readonly repo: PolicyRuleRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig & { databaseUrl?: string },
  ) {}

  async onModuleInit(): Promise<void> {
    if (!this.config.databaseUrl) return;
    this.listener = new PgListener(this.config.databaseUrl, 'agent-runtime-policy');
    this.listener.onReconnect(() => this.clear());
    await this.listener.listen(POLICY_CHANNEL, (payload) => this.invalidate(payload));
  }

  async onModuleDestroy(): Promise<void> {
    await this.listener?.close();
  }

  private key(tenantId: string | null, action: string): string {
    return `${tenantId ?? '*'}|${action}`;
  }

  /** The compiled rules that can apply to a tenant's action (served from memory when warm). */
  async get(tenantId: string | null, action: string, manager?: EntityManager): Promise<Entry> {
    const key = this.key(tenantId, action);
    const hit = this.entries.get(key);
    if (hit && Date.now() - hit.loadedAt < TTL_MS && this.listener?.connected !== false) return hit;
    let pending = this.loading.get(key);
    if (!pending) {
      const generation = this.generation;
      pending = this.repo.activeFor(action, tenantId, manager).then((rows) => {
        const rules = rows.map((r) => compileRule(toRule(r)));
        const entry = { rules, needsCounters: rows.some((r) => hasCounterCondition(r.conditions)), loadedAt: Date.now() };
        // a write that landed while loading makes this result stale: do not keep it
        if (generation === this.generation) this.entries.set(key, entry);
        return entry;
      });
      pending.finally(() => this.loading.delete(key)).catch(() => undefined);
      this.loading.set(key, pending);
    }
    return pending;
  }

  /** Announces a change to every instance; call inside the transaction that writes the rule. */
  async announce(m: EntityManager, tenantId: string | null, action: string): Promise<void> {
    await m.query(`SELECT pg_notify($1, $2)`, [POLICY_CHANNEL, JSON.stringify({ tenant_id: tenantId, action })]);
  }

  /** Drops affected entries (a global rule affects every tenant's entry for its action). */
  invalidate(payload: string): void {
    this.generation++;
    try {
      const { tenant_id, action } = JSON.parse(payload) as { tenant_id: string | null; action: string };
      if (tenant_id === null) {
        for (const k of this.entries.keys()) if (k.endsWith(`|${action}`)) this.entries.delete(k);
      } else {
        this.entries.delete(this.key(tenant_id, action));
      }
    } catch {
      this.clear();
    }
  }

  clear(): void {
    this.generation++;
    this.entries.clear();
    this.logger.debug('policy rule cache cleared');
  }

  get size(): number {
    return this.entries.size;
  }
}

function hasCounterCondition(conditions: unknown): boolean {
  return typeof conditions === 'object' && conditions !== null && ('max_per_recipient_per_day' in conditions || 'max_per_appointment' in conditions);
}
