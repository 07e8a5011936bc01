import { describe, expect, it } from 'vitest';
import { NOTIFICATION_TEMPLATES } from '../notification.types.js';
import { NotificationsException } from '../notifications.exception.js';
import { formatLocalRange, formatLocalTime } from './format-local-time.js';
import { NotificationTemplateRenderer } from './notification-template.renderer.js';
import type { TemplateData } from './template-data.js';

const renderer = new NotificationTemplateRenderer();
const berlin: TemplateData = {
  tenantName: 'Praxis Sonnenschein',
  timezone: 'Europe/Berlin',
  clientName: 'Ada Lovelace',
  start: '2031-07-07T08:00:00Z',
  end: '2031-07-07T08:30:00Z',
  service: 'Check-up',
};

describe('formatLocalTime', () => {
  it("shows the instant in the tenant's zone, with the zone named", () => {
    expect(formatLocalTime('2031-07-07T08:00:00Z', 'Europe/Berlin')).toBe('Monday, 7 July 2031, 10:00 (Europe/Berlin)');
    expect(formatLocalTime('2031-07-07T08:00:00Z', 'America/New_York')).toBe('Monday, 7 July 2031, 04:00 (America/New_York)');
    expect(formatLocalTime(new Date('2031-07-07T08:00:00Z'), 'UTC')).toBe('Monday, 7 July 2031, 08:00 (UTC)');
  });

  it('follows daylight saving time: the same UTC hour is 09:00 in winter and 10:00 in summer in Berlin', () => {
    expect(formatLocalTime('2031-01-06T08:00:00Z', 'Europe/Berlin')).toBe('Monday, 6 January 2031, 09:00 (Europe/Berlin)');
    expect(formatLocalTime('2031-07-07T08:00:00Z', 'Europe/Berlin')).toBe('Monday, 7 July 2031, 10:00 (Europe/Berlin)');
  });

  it('jumps over the spring-forward gap (30 March 2031: 02:00 does not exist in Berlin)', () => {
    expect(formatLocalTime('2031-03-30T00:59:00Z', 'Europe/Berlin')).toBe('Sunday, 30 March 2031, 01:59 (Europe/Berlin)');
    expect(formatLocalTime('2031-03-30T01:00:00Z', 'Europe/Berlin')).toBe('Sunday, 30 March 2031, 03:00 (Europe/Berlin)');
  });

  it('crosses the local date line: a late UTC evening is the next morning in Tokyo', () => {
    expect(formatLocalTime('2031-12-31T23:30:00Z', 'Asia/Tokyo')).toBe('Thursday, 1 January 2032, 08:30 (Asia/Tokyo)');
  });

  it('formats a range on one day compactly, and in full across midnight', () => {
    expect(formatLocalRange('2031-07-07T08:00:00Z', '2031-07-07T08:30:00Z', 'Europe/Berlin')).toBe('Monday, 7 July 2031, 10:00–10:30 (Europe/Berlin)');
    expect(formatLocalRange('2031-07-07T21:30:00Z', '2031-07-07T22:30:00Z', 'Europe/Berlin')).toBe(
      'Monday, 7 July 2031, 23:30 – Tuesday, 8 July 2031, 00:30 (Europe/Berlin)',
    );
  });

  it('refuses an unknown zone or an invalid time with a code naming the field', () => {
    expect(() => formatLocalTime('2031-07-07T08:00:00Z', 'Mars/Olympus')).toThrow(NotificationsException);
    expect(() => formatLocalTime('not a time', 'UTC')).toThrow(/start: is not a valid time/);
  });
});

describe('NotificationTemplateRenderer', () => {
  it('renders a confirmation with the tenant, the client, the service and the local time', () => {
    const m = renderer.render('confirmation', berlin);
    expect(m.subject).toBe('Appointment confirmed: Monday, 7 July 2031, 10:00 (Europe/Berlin) at Praxis Sonnenschein');
    expect(m.body).toContain('Hello Ada Lovelace,');
    expect(m.body).toContain('When: Monday, 7 July 2031, 10:00–10:30 (Europe/Berlin)');
    expect(m.body).toContain('Service: Check-up');
    expect(m.body).not.toContain('08:00');
  });

  it('renders every template with a subject and a body naming the tenant', () => {
    for (const name of NOTIFICATION_TEMPLATES) {
      const m = renderer.render(name, { ...berlin, oldStart: '2031-07-06T08:00:00Z', oldEnd: '2031-07-06T08:30:00Z' });
      expect(m.subject.length).toBeGreaterThan(10);
      expect(m.subject).not.toMatch(/[\r\n]/);
      expect(m.body).toContain('Praxis Sonnenschein');
    }
  });

  it('shows both times of a reschedule, each in local time', () => {
    const m = renderer.render('reschedule', { ...berlin, oldStart: '2031-01-06T08:00:00Z', oldEnd: '2031-01-06T08:30:00Z' });
    expect(m.subject).toContain('Monday, 7 July 2031, 10:00 (Europe/Berlin)');
    expect(m.body).toContain('New time: Monday, 7 July 2031, 10:00–10:30 (Europe/Berlin)');
    expect(m.body).toContain('Previous time: Monday, 6 January 2031, 09:00–09:30 (Europe/Berlin)');
  });

  it('needs the previous time for a reschedule', () => {
    expect(() => renderer.render('reschedule', berlin)).toThrow(/oldStart/);
  });

  it('keeps names on one line (no header injection through the subject) and omits an empty service', () => {
    const m = renderer.render('cancellation', { ...berlin, tenantName: 'Evil\r\nBcc: x@example.com', service: null });
    expect(m.subject).not.toMatch(/[\r\n]/);
    expect(m.subject).toContain('Evil Bcc: x@example.com');
    expect(m.body).not.toContain('Service:');
  });

  it('refuses an unknown template', () => {
    expect(() => renderer.render('birthday' as never, berlin)).toThrow(/unknown template/);
  });
});
