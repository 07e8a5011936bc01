import { Injectable } from '@nestjs/common';
import { CalendarSyncService } from '../../booking/calendar/calendar-sync.service.js';
import type { RegisteredTool, ToolResult, ToolRunContext } from './registered-tool.js';
import { parseAppointmentInput, type AppointmentInput } from './tool-input.js';

/** Retries a failed calendar write; a failure throws so the job backs off (exponential, with jitter). */
@Injectable()
export class RetryCalendarSyncTool implements RegisteredTool<AppointmentInput> {
  readonly name = 'retry_calendar_sync';
  readonly action = 'retry_calendar_sync' as const;
  readonly description = "Write the appointment's calendar event again after a failure";
  readonly appointmentStatuses = ['confirmed', 'cancelled', 'completed', 'no_show'] as const;
  readonly ownTransaction = true;

  constructor(private readonly calendar: CalendarSyncService) {}

  parse(payload: unknown): AppointmentInput {
    return parseAppointmentInput(payload, []);
  }

  async run(input: AppointmentInput, ctx: ToolRunContext): Promise<ToolResult> {
    const outcome = await this.calendar.sync(input.appointment_id, { recordFailure: false, context: ctx.context });
    if (outcome.status === 'failed') throw new Error(`calendar write failed: ${outcome.error}`);
    if (outcome.status === 'skipped') return { outcome: 'skipped', reason: outcome.reason };
    return { outcome: 'completed', effects: { calendar: outcome.action, version: outcome.version } };
  }
}
