import { Injectable } from '@nestjs/common';
import { AppointmentService } from '../../booking/appointments/appointment.service.js';
import type { RegisteredTool, ToolResult, ToolRunContext } from './registered-tool.js';
import { parseAppointmentInput, type AppointmentInput } from './tool-input.js';

/** Marks a confirmed appointment whose client did not check in by start + grace as a no-show. */
@Injectable()
export class AutoCancelNoShowTool implements RegisteredTool<AppointmentInput> {
  readonly name = 'auto_cancel_no_show';
  readonly action = 'auto_cancel_no_show' as const;
  readonly description = 'Mark the appointment a no-show when the client has not checked in';
  readonly appointmentStatuses = ['confirmed'] as const;

  constructor(private readonly appointments: AppointmentService) {}

  parse(payload: unknown): AppointmentInput {
    return parseAppointmentInput(payload, []);
  }

  async run(input: AppointmentInput, ctx: ToolRunContext): Promise<ToolResult> {
    const apt = ctx.appointment!;
    if (apt.checked_in_at) return { outcome: 'skipped', reason: 'checked_in' };
    if (apt.start_time.getTime() > Date.now()) return { outcome: 'skipped', reason: 'not_started' };
    const updated = await this.appointments.markNoShow(ctx.manager, apt.id, input.version);
    if (!updated) return { outcome: 'cancelled', reason: 'stale_appointment' };
    return { outcome: 'completed', effects: { appointment_status: updated.status, version: updated.version } };
  }
}
