import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { AppConfig } from '../../../common/config/app-config.js';
import { APP_CONFIG } from '../../../common/config/config.module.js';
import { UnitOfWork } from '../../../common/events/unit-of-work.js';
import { SYSTEM_CONTEXT, type RequestContext } from '../../../common/http/request-context.js';
import { AppointmentRepository } from '../appointments/appointment.repository.js';
import type { Appointment } from '../appointments/appointment.types.js';
import { TenantService } from '../tenants/tenant.service.js';
import { appointmentCalendarEvent, appointmentEventUid } from './appointment-calendar-event.js';
import { CALENDAR_PROVIDER, type CalendarProvider } from './calendar-provider.js';
import { CalendarSyncRepository } from './calendar-sync.repository.js';
import { describeCalendarError } from './describe-calendar-error.js';

/** A sync re-reads the appointment this many times when it keeps changing under it. */
const MAX_PASSES = 3;

export type CalendarSyncOutcome =
  | { status: 'synced'; action: 'upserted' | 'removed'; version: number }
  | { status: 'failed'; error: string; version: number }
  | { status: 'skipped'; reason: 'provider_none' | 'not_found' | 'superseded' };

export interface CalendarSyncOptions {
  /** Restricts the lookup to one tenant (another tenant's appointment is `not_found`). */
  tenantId?: string;
  /**
   * Record `CalendarWriteFailed` when the write fails (default true). A caller that does its own
   * failure accounting — the retry job — may pass false so a failed retry does not start another.
   */
  recordFailure?: boolean;
  /** Who asked, for which request or job: on the `CalendarWriteFailed` event (default: system). */
  context?: RequestContext;
}

/**
 * Mirrors one appointment into the configured calendar: a confirmed (or completed) appointment is
 * upserted, a cancelled or no-show one removed. `calendar_sync_status` goes `pending` → `synced`, or
 * `failed` with a `CalendarWriteFailed` event (durable and audited). A calendar failure never
 * throws; only a database failure does (so an event handler is retried by the relay).
 */
@Injectable()
export class CalendarSyncService {
  private readonly logger = new Logger('CalendarSync');

  constructor(
    @Inject(CALENDAR_PROVIDER) private readonly provider: CalendarProvider,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectDataSource() private readonly db: DataSource,
    private readonly uow: UnitOfWork,
    private readonly appointments: AppointmentRepository,
    private readonly tenants: TenantService,
    private readonly repo: CalendarSyncRepository,
  ) {}

  /** False with provider `none`: nothing is written and statuses stay `none`. */
  get enabled(): boolean {
    return this.provider.name !== 'none';
  }

  async sync(appointmentId: string, options: CalendarSyncOptions = {}): Promise<CalendarSyncOutcome> {
    if (!this.enabled) return { status: 'skipped', reason: 'provider_none' };
    for (let pass = 0; pass < MAX_PASSES; pass++) {
      const apt = await this.appointments.findById(appointmentId, options.tenantId);
      if (!apt) return { status: 'skipped', reason: 'not_found' };
      if (!(await this.repo.setStatus(this.db.manager, apt.id, apt.version, 'pending'))) continue;
      let action: 'upserted' | 'removed';
      try {
        action = await this.write(apt);
      } catch (err) {
        const error = describeCalendarError(err, this.config.caldavTimeoutMs);
        if (!(await this.recordFailure(apt, error, options.recordFailure ?? true, options.context ?? SYSTEM_CONTEXT))) continue;
        this.logger.warn(`calendar write for appointment ${apt.id} (v${apt.version}) failed: ${error}`);
        return { status: 'failed', error, version: apt.version };
      }
      // Changed while we wrote: write again from the newer version, so the calendar ends up current.
      if (await this.repo.setStatus(this.db.manager, apt.id, apt.version, 'synced')) return { status: 'synced', action, version: apt.version };
    }
    return { status: 'skipped', reason: 'superseded' };
  }

  private async write(apt: Appointment): Promise<'upserted' | 'removed'> {
    if (apt.status === 'cancelled' || apt.status === 'no_show') {
      await this.provider.remove(appointmentEventUid(apt.id));
      return 'removed';
    }
    const { tenant } = await this.tenants.profile(apt.tenant_id);
    await this.provider.upsert(appointmentCalendarEvent(apt, tenant.timezone));
    return 'upserted';
  }

  /** `failed` and its event commit together; false when the appointment changed meanwhile. */
  private recordFailure(apt: Appointment, error: string, record: boolean, context: RequestContext): Promise<boolean> {
    return this.uow.run({ context }, async (tx) => {
      if (!(await this.repo.setStatus(tx.manager, apt.id, apt.version, 'failed'))) return false;
      if (record) await tx.record('CalendarWriteFailed', apt.tenant_id, { appointment_id: apt.id, error, tenant_id: apt.tenant_id });
      return true;
    });
  }
}
