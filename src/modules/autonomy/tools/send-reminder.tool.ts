import { Injectable } from '@nestjs/common';
import type { RegisteredTool, ToolResult, ToolRunContext } from './registered-tool.js';
import { AppointmentNotifier } from './appointment-notifier.js';
import { parseAppointmentInput, type AppointmentInput } from './tool-input.js';

/** Reminds the client before the appointment; an appointment that already started gets none (too_late). */
@Injectable()
export class SendReminderTool implements RegisteredTool<AppointmentInput> {
  readonly name = 'send_reminder';
  readonly action = 'send_reminder' as const;
  readonly description = 'Email the client a reminder before the appointment';
  readonly appointmentStatuses = ['confirmed'] as const;

  constructor(private readonly notifier: AppointmentNotifier) {}

  parse(payload: unknown): AppointmentInput {
    return parseAppointmentInput(payload, ['reminder']);
  }

  async run(input: AppointmentInput, ctx: ToolRunContext): Promise<ToolResult> {
    if (ctx.appointment!.start_time.getTime() <= Date.now()) return { outcome: 'skipped', reason: 'too_late: the appointment has started' };
    return this.notifier.notify(ctx, 'reminder', input);
  }
}
