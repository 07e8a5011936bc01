import { Injectable } from '@nestjs/common';
import type { RegisteredTool, ToolResult, ToolRunContext } from './registered-tool.js';
import { AppointmentNotifier } from './appointment-notifier.js';
import { parseAppointmentInput, type AppointmentInput } from './tool-input.js';

/** Confirms a booking (template `confirmation`) or its new time after a reschedule (`reschedule`). */
@Injectable()
export class SendConfirmationTool implements RegisteredTool<AppointmentInput> {
  readonly name = 'send_confirmation';
  readonly action = 'send_confirmation' as const;
  readonly description = 'Email the client a confirmation of the booking (or of its new time)';
  readonly appointmentStatuses = ['confirmed'] as const;

  constructor(private readonly notifier: AppointmentNotifier) {}

  parse(payload: unknown): AppointmentInput {
    return parseAppointmentInput(payload, ['confirmation', 'reschedule']);
  }

  run(input: AppointmentInput, ctx: ToolRunContext): Promise<ToolResult> {
    return this.notifier.notify(ctx, input.template === 'reschedule' ? 'reschedule' : 'confirmation', input);
  }
}
