import { Injectable } from '@nestjs/common';
import type { NotificationTemplateName } from '../notification.types.js';
import { renderTemplate } from './notification-templates.js';
import type { RenderedNotification, TemplateData } from './template-data.js';

/**
 * Renders confirmation, reminder, cancellation, reschedule and follow-up messages (subject and plain
 * text) with the tenant's name and the time in the tenant's time zone.
 */
@Injectable()
export class NotificationTemplateRenderer {
  render(template: NotificationTemplateName, data: TemplateData): RenderedNotification {
    return renderTemplate(template, data);
  }
}
