import { Injectable } from '@nestjs/common';
import type { AuditEntry } from '../../../common/audit/audit-appender.js';
import { TenantService } from '../../booking/tenants/tenant.service.js';
import { NotificationOutboxService } from '../../notifications/outbox/notification-outbox.service.js';
import { NotificationTemplateRenderer } from '../../notifications/templates/notification-template.renderer.js';
import type { NotificationTemplateName } from '../../notifications/notification.types.js';
import type { ToolResult, ToolRunContext } from './registered-tool.js';
import type { AppointmentInput } from './tool-input.js';

/**
 * What the notification tools share: load the tenant and the appointment's client (the job holds
 * ids only), render the template in the tenant's timezone, and write one outbox row per (job,
 * channel) in the executor's transaction — a retried job never sends twice.
 */
@Injectable()
export class AppointmentNotifier {
  constructor(
    private readonly tenants: TenantService,
    private readonly renderer: NotificationTemplateRenderer,
    private readonly outbox: NotificationOutboxService,
  ) {}

  async notify(ctx: ToolRunContext, template: NotificationTemplateName, input: AppointmentInput): Promise<ToolResult> {
    const apt = ctx.appointment!;
    const { tenant } = await this.tenants.profile(apt.tenant_id, ctx.manager);
    const rendered = this.renderer.render(template, {
      tenantName: tenant.name,
      timezone: tenant.timezone,
      clientName: apt.client_name,
      start: apt.start_time,
      end: apt.end_time,
      service: apt.service,
      oldStart: input.old_start ?? null,
      oldEnd: input.old_end ?? null,
    });
    // the executor writes the enqueue's audit row with its own; the outbox hands the row to the dispatcher at the commit
    const enqueued: AuditEntry[] = [];
    const row = await this.outbox.enqueue(ctx.manager, {
      tenantId: apt.tenant_id,
      jobId: ctx.job.id,
      appointmentId: apt.id,
      channel: 'email',
      template,
      recipient: apt.client_email,
      subject: rendered.subject,
      body: rendered.body,
    }, { auditInto: enqueued, context: ctx.context });
    ctx.audit(enqueued);
    return { outcome: 'completed', effects: { notification_id: row.id, channel: row.channel, template } };
  }
}
