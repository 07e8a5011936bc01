import { describe, expect, it } from 'vitest';
import type { AppointmentSnapshot } from '../../../common/events/domain-events.js';
import { dedupeKey, planForBooking } from './action-planner.js';

const timings = { reminderLeadMinutes: 1440, noShowGraceMinutes: 15, followUpDelayMinutes: 60 };
const apt = (startIso: string, endIso: string): AppointmentSnapshot => ({
  id: '11111111-1111-4111-8111-111111111111', tenant_id: 't', resource_id: 'r', start: startIso, end: endIso,
  status: 'confirmed', version: 1, service: null, calendar_sync_status: 'none',
});

describe('planForBooking', () => {
  it('schedules confirmation now, reminder at start − lead, no-show at start + grace, follow-up at end + delay', () => {
    const now = new Date('2031-01-01T00:00:00Z');
    const { planned, skipped } = planForBooking(apt('2031-01-05T10:00:00Z', '2031-01-05T10:30:00Z'), timings, now);
    expect(skipped).toEqual([]);
    expect(planned.map((p) => [p.type, p.runAt.toISOString()])).toEqual([
      ['send_confirmation', '2031-01-01T00:00:00.000Z'],
      ['send_reminder', '2031-01-04T10:00:00.000Z'],
      ['auto_cancel_no_show', '2031-01-05T10:15:00.000Z'],
      ['send_follow_up', '2031-01-05T11:30:00.000Z'],
    ]);
  });

  it('a reminder whose time has passed but whose appointment is ahead is sent at once, with a note', () => {
    const now = new Date('2031-01-05T09:00:00Z');
    const { planned } = planForBooking(apt('2031-01-05T10:00:00Z', '2031-01-05T10:30:00Z'), timings, now);
    const reminder = planned.find((p) => p.type === 'send_reminder')!;
    expect(reminder.runAt.toISOString()).toBe(now.toISOString());
    expect(reminder.note).toMatch(/late/);
  });

  it('a reminder for an appointment that already started is skipped as too_late, never silently dropped', () => {
    const now = new Date('2031-01-05T10:05:00Z');
    const { planned, skipped } = planForBooking(apt('2031-01-05T10:00:00Z', '2031-01-05T10:30:00Z'), timings, now);
    expect(planned.some((p) => p.type === 'send_reminder')).toBe(false);
    expect(skipped).toEqual([{ type: 'send_reminder', reason: expect.stringMatching(/^too_late/) }]);
  });

  it('dedupe keys differ per version', () => {
    expect(dedupeKey('send_reminder', 'a', 1)).not.toBe(dedupeKey('send_reminder', 'a', 2));
  });
});
