import { NotificationsErrorCode, NotificationsException } from '../notifications.exception.js';
import type { NotificationTemplateName } from '../notification.types.js';
import { formatLocalRange, formatLocalTime } from './format-local-time.js';
import type { RenderedNotification, TemplateData } from './template-data.js';

/** Names and free text come from users: one line, no control characters, bounded. */
function clean(value: string | null | undefined, max = 200): string {
  return (value ?? '').replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ').replace(/\s+/g, ' ').trim().slice(0, max);
}

interface View {
  tenant: string;
  client: string;
  service: string | null;
  when: string;
  whenRange: string;
}

function view(d: TemplateData): View {
  const service = clean(d.service);
  return {
    tenant: clean(d.tenantName) || 'us',
    client: clean(d.clientName),
    service: service || null,
    when: formatLocalTime(d.start, d.timezone, 'start'),
    whenRange: formatLocalRange(d.start, d.end, d.timezone),
  };
}

function greeting(v: View): string {
  return v.client ? `Hello ${v.client},` : 'Hello,';
}

function details(v: View): string[] {
  return [`When: ${v.whenRange}`, ...(v.service ? [`Service: ${v.service}`] : [])];
}

function letter(v: View, lines: string[]): string {
  return [greeting(v), '', ...lines, '', v.tenant, ''].join('\n');
}

const TEMPLATES: Record<NotificationTemplateName, (d: TemplateData) => RenderedNotification> = {
  confirmation: (d) => {
    const v = view(d);
    return {
      subject: `Appointment confirmed: ${v.when} at ${v.tenant}`,
      body: letter(v, [`your appointment at ${v.tenant} is confirmed.`, '', ...details(v), '', 'If you cannot make it, please let us know.']),
    };
  },
  reminder: (d) => {
    const v = view(d);
    return {
      subject: `Reminder: your appointment on ${v.when} at ${v.tenant}`,
      body: letter(v, [`this is a reminder of your appointment at ${v.tenant}.`, '', ...details(v), '', 'We look forward to seeing you.']),
    };
  },
  cancellation: (d) => {
    const v = view(d);
    return {
      subject: `Appointment cancelled: ${v.when} at ${v.tenant}`,
      body: letter(v, [`your appointment at ${v.tenant} has been cancelled.`, '', ...details(v), '', 'You are welcome to book a new time.']),
    };
  },
  reschedule: (d) => {
    const v = view(d);
    if (!d.oldStart || !d.oldEnd) {
      throw new NotificationsException(NotificationsErrorCode.INVALID_TEMPLATE_DATA, 'oldStart: the reschedule template needs the previous time', 'oldStart');
    }
    const was = formatLocalRange(d.oldStart, d.oldEnd, d.timezone, ['oldStart', 'oldEnd']);
    return {
      subject: `Appointment moved to ${v.when} at ${v.tenant}`,
      body: letter(v, [`your appointment at ${v.tenant} has been moved.`, '', `New time: ${v.whenRange}`, `Previous time: ${was}`, ...(v.service ? [`Service: ${v.service}`] : [])]),
    };
  },
  follow_up: (d) => {
    const v = view(d);
    return {
      subject: `Thank you for your visit to ${v.tenant}`,
      body: letter(v, [`thank you for visiting ${v.tenant} on ${v.when}.`, 'We hope everything went well. If you would like to come again, you are welcome to book your next appointment.']),
    };
  },
};

export function renderTemplate(name: NotificationTemplateName, data: TemplateData): RenderedNotification {
  const template = TEMPLATES[name];
  if (!template) throw new NotificationsException(NotificationsErrorCode.INVALID_NOTIFICATION, `template: unknown template "${String(name)}"`, 'template');
  return template(data);
}
