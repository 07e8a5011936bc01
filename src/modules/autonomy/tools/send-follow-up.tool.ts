import { Injectable } from '@nestjs/common';
import type { RegisteredTool, ToolResult, ToolRunContext } from './registered-tool.js';
import { AppointmentNotifier } from './appointment-notifier.js';
import { parseAppointmentInput, type AppointmentInput } from './tool-input.js';

/** Follows up after the visit (only if the client came: checked in). */
@Injectable()
export class SendFollowUpTool implements RegisteredTool<AppointmentInput> {
  readonly name = 'send_follow_up';
  readonly action = 'send_follow_up' as const;
  readonly description = 'Email the client a follow-up after the visit';
  readonly appointmentStatuses = ['confirmed', 'completed'] as const;

  constructor(private readonly notifier: AppointmentNotifier) {}

  parse(payload: unknown): AppointmentInput {
    return parseAppointmentInput(payload, ['follow_up']);
  }

  async run(input: AppointmentInput, ctx: ToolRunContext): Promise<ToolResult> {
    if (!ctx.appointment!.checked_in_at) return { outcome: 'skipped', reason: 'not_checked_in: no follow-up for a visit that did not happen' };
    return this.notifier.notify(ctx, 'follow_up', input);
  }
}
