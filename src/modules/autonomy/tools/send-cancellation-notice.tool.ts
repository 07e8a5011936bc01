import { Injectable } from '@nestjs/common';
import type { RegisteredTool, ToolResult, ToolRunContext } from './registered-tool.js';
import { AppointmentNotifier } from './appointment-notifier.js';
import { parseAppointmentInput, type AppointmentInput } from './tool-input.js';

@Injectable()
export class SendCancellationNoticeTool implements RegisteredTool<AppointmentInput> {
  readonly name = 'send_cancellation_notice';
  readonly action = 'send_cancellation_notice' as const;
  readonly description = 'Email the client that the appointment was cancelled';
  readonly appointmentStatuses = ['cancelled'] as const;

  constructor(private readonly notifier: AppointmentNotifier) {}

  parse(payload: unknown): AppointmentInput {
    return parseAppointmentInput(payload, ['cancellation']);
  }

  run(input: AppointmentInput, ctx: ToolRunContext): Promise<ToolResult> {
    return this.notifier.notify(ctx, 'cancellation', input);
  }
}
