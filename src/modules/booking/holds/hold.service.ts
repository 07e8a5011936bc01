import { Inject, Injectable } from '@nestjs/common';
import type { AppConfig } from '../../../common/config/app-config.js';
import { APP_CONFIG } from '../../../common/config/config.module.js';
import { DEADLOCK_DETECTED, EXCLUSION_VIOLATION, pgCode, SERIALIZATION_FAILURE } from '../../../common/database/pg-errors.js';
import { UnitOfWork, type Tx } from '../../../common/events/unit-of-work.js';
import type { RequestContext } from '../../../common/http/request-context.js';
import { AppointmentRepository } from '../appointments/appointment.repository.js';
import { validateSlot } from '../availability/slot-rules.js';
import { BookingErrorCode, BookingException } from '../booking.exception.js';
import { lockResource } from '../resource-lock.js';
import { TenantService } from '../tenants/tenant.service.js';
import { HoldRepository } from './hold.repository.js';
import { holdSnapshot, type Hold } from './hold.types.js';

@Injectable()
export class HoldService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly holds: HoldRepository,
    private readonly appointments: AppointmentRepository,
    private readonly tenants: TenantService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Holds a slot for HOLD_TTL_SECONDS; 409 when it overlaps a booking or another active hold. */
  async hold(input: { tenant_id: string; resource_id?: string; start: string; end: string }, context: RequestContext): Promise<Hold> {
    const { profile, resource } = await this.tenants.resolveResource(input.tenant_id, input.resource_id);
    const { start, end } = validateSlot(profile.tenant, input.start, input.end);
    try {
      return await this.uow.run({ isolation: 'SERIALIZABLE', context }, async (tx) => {
        const m = tx.manager;
        await lockResource(m, resource.id);
        // Holds past their TTL stop blocking at once, even before the sweeper gets to them.
        await this.recordExpired(tx, await this.holds.expireDue(m, { tenantId: input.tenant_id, resourceId: resource.id, start, end }));
        const busy = await this.appointments.busyIntervals(input.tenant_id, resource.id, start, end);
        if (busy.length > 0) throw new BookingException(BookingErrorCode.SLOT_TAKEN, 'the slot is already booked', 'start');
        const hold = await this.holds.insert(m, { tenant_id: input.tenant_id, resource_id: resource.id, start, end, ttlSeconds: this.config.holdTtlSeconds });
        await tx.record('HoldCreated', hold.tenant_id, { hold: holdSnapshot(hold), tenant_id: hold.tenant_id });
        return hold;
      });
    } catch (e) {
      const code = pgCode(e);
      if (code === EXCLUSION_VIOLATION) throw new BookingException(BookingErrorCode.SLOT_TAKEN, 'the slot is held by another client', 'start');
      if (code === SERIALIZATION_FAILURE || code === DEADLOCK_DETECTED) {
        throw new BookingException(BookingErrorCode.CONTENTION, 'the slot is under heavy contention; retry', 'start');
      }
      throw e;
    }
  }

  /** One sweep: expires due holds and records one HoldExpired per hold. */
  async expireDue(tx: Tx): Promise<number> {
    const expired = await this.holds.expireDue(tx.manager);
    await this.recordExpired(tx, expired);
    return expired.length;
  }

  private async recordExpired(tx: Tx, expired: Hold[]): Promise<void> {
    for (const h of expired) {
      await tx.record('HoldExpired', h.tenant_id, {
        hold_id: h.id,
        tenant_id: h.tenant_id,
        slot_start: h.start_time.toISOString(),
        slot_end: h.end_time.toISOString(),
      });
    }
  }
}
