import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import type { AppConfig } from '../../../common/config/app-config.js';
import { APP_CONFIG } from '../../../common/config/config.module.js';
import { PgListener } from '../../../common/database/pg-listener.js';
import { UnitOfWork } from '../../../common/events/unit-of-work.js';
import type { RequestContext } from '../../../common/http/request-context.js';
import { AutonomyErrorCode, AutonomyException } from '../autonomy.exception.js';
import { AutonomySettingsRepository, type AutonomyMode, type AutonomySettingRow } from './autonomy-settings.repository.js';

export const AUTONOMY_CHANNEL = 'autonomy_settings_changed';
export const AUTONOMY_STATUS_CHANGED = 'autonomy.status_changed';
/** Safety net if a notification is lost: settings are re-read at least this often. */
const REFRESH_MS = 1000;
const STALE_AFTER_MS = 15_000;

/**
 * The runtime toggle (global and per tenant), on top of the env master switch. Every instance keeps
 * the settings in memory, refreshed on `NOTIFY` and at least once a second, so a change takes effect
 * everywhere within a second.
 */
@Injectable()
export class AutonomySettingsService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('AutonomySettings');
  private global: AutonomyMode = 'off';
  private readonly tenants = new Map<string, AutonomyMode>();
  private rows: AutonomySettingRow[] = [];
  private loadedAt = 0;
  private listener: PgListener | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly repo: AutonomySettingsRepository,
    private readonly uow: UnitOfWork,
    private readonly emitter: EventEmitter2,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.reload();
    if (this.config.databaseUrl) {
      this.listener = new PgListener(this.config.databaseUrl, 'agent-runtime-autonomy');
      this.listener.onReconnect(() => void this.reload());
      await this.listener.listen(AUTONOMY_CHANNEL, () => void this.reload());
    }
    this.timer = setInterval(() => void this.reload(), REFRESH_MS);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.listener?.close();
  }

  get masterSwitch(): boolean {
    return this.config.autonomyEnabled;
  }

  /** off when the env master switch is off; else the tenant's override, else the global mode. */
  effectiveMode(tenantId: string | null): AutonomyMode {
    if (!this.config.autonomyEnabled) return 'off';
    // fail closed: settings that could not be re-read for a while may be outdated
    if (Date.now() - this.loadedAt > STALE_AFTER_MS) return 'off';
    return (tenantId && this.tenants.get(tenantId)) || this.global;
  }

  /** False when no scope may run anything: the runner then claims nothing. */
  anyEnabled(): boolean {
    if (this.effectiveMode(null) !== 'off') return true;
    for (const t of this.tenants.keys()) if (this.effectiveMode(t) !== 'off') return true;
    return false;
  }

  snapshot(): { global: AutonomyMode; tenants: { tenant_id: string; mode: AutonomyMode; updated_at: Date; updated_by: string }[]; loaded_at: string } {
    return {
      global: this.global,
      tenants: this.rows.filter((r) => r.tenant_id !== null).map((r) => ({ tenant_id: r.tenant_id!, mode: r.mode, updated_at: r.updated_at, updated_by: r.updated_by })),
      loaded_at: new Date(this.loadedAt).toISOString(),
    };
  }

  /** Persists the toggle (audited) and tells every instance. Enabling with the master switch off is a 409. */
  async set(mode: AutonomyMode, tenantId: string | null, context: RequestContext): Promise<AutonomySettingRow> {
    if (mode !== 'off' && !this.config.autonomyEnabled) {
      throw new AutonomyException(AutonomyErrorCode.MASTER_SWITCH_OFF, 'the master switch AUTONOMY_ENABLED is off on this instance: the runtime cannot be turned on until it is set to true', 'mode');
    }
    if (tenantId && !(await this.repo.tenantExists(tenantId))) throw new AutonomyException(AutonomyErrorCode.TENANT_NOT_FOUND, 'tenant not found', 'tenant_id');
    const row = await this.uow.run({ context }, async (tx) => {
      const r = await this.repo.upsert(tx.manager, tenantId, mode, context.actor);
      await tx.manager.query(`SELECT pg_notify($1, $2)`, [AUTONOMY_CHANNEL, JSON.stringify({ tenant_id: tenantId, mode })]);
      tx.audit({ tenant_id: tenantId, event_type: 'autonomy.mode_changed', entity_type: 'autonomy_settings', entity_id: tenantId ?? 'global', payload: { mode, previous: this.effectiveMode(tenantId) } });
      return r;
    });
    await this.reload();
    return row;
  }

  async reload(): Promise<void> {
    try {
      const rows = await this.repo.all();
      const before = JSON.stringify([this.global, [...this.tenants]]);
      this.rows = rows;
      this.global = rows.find((r) => r.tenant_id === null)?.mode ?? 'off';
      this.tenants.clear();
      for (const r of rows) if (r.tenant_id) this.tenants.set(r.tenant_id, r.mode);
      this.loadedAt = Date.now();
      if (JSON.stringify([this.global, [...this.tenants]]) !== before) this.emitter.emit(AUTONOMY_STATUS_CHANGED, this.snapshot());
    } catch (e) {
      this.logger.warn(`could not reload autonomy settings: ${String(e)}`);
    }
  }
}
