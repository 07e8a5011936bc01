import { Injectable } from '@nestjs/common';
import { AppointmentRepository } from '../appointments/appointment.repository.js';
import { HoldRepository } from '../holds/hold.repository.js';
import { TenantService } from '../tenants/tenant.service.js';
import { daySlots } from './slot-rules.js';

export interface SlotView {
  start: string;
  end: string;
  available: boolean;
}

@Injectable()
export class AvailabilityService {
  constructor(
    private readonly tenants: TenantService,
    private readonly appointments: AppointmentRepository,
    private readonly holds: HoldRepository,
  ) {}

  /** The slots of a local date (tenant's timezone) with whether each is free, in the future and unheld. */
  async forDate(tenantId: string, resourceId: string | undefined, date: string): Promise<{ tenant_id: string; resource_id: string; date: string; timezone: string; slots: SlotView[] }> {
    const { profile, resource } = await this.tenants.resolveResource(tenantId, resourceId);
    const slots = daySlots(profile.tenant, date);
    const now = Date.now();
    let busy: { start_time: Date; end_time: Date }[] = [];
    if (slots.length > 0) {
      const from = slots[0]!.start;
      const to = slots[slots.length - 1]!.end;
      const [apts, holds] = await Promise.all([
        this.appointments.busyIntervals(tenantId, resource.id, from, to),
        this.holds.activeIntervals(tenantId, resource.id, from, to),
      ]);
      busy = [...apts, ...holds];
    }
    return {
      tenant_id: tenantId,
      resource_id: resource.id,
      date,
      timezone: profile.tenant.timezone,
      slots: slots.map((s) => ({
        start: s.start.toISOString(),
        end: s.end.toISOString(),
        available: s.start.getTime() > now && !busy.some((b) => b.start_time < s.end && b.end_time > s.start),
      })),
    };
  }
}
