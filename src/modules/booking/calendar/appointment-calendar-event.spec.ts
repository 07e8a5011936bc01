import { describe, expect, it } from 'vitest';
import { appointmentCalendarEvent, appointmentEventUid } from './appointment-calendar-event.js';

const apt = {
  id: '3f0c1a2b-9d8e-4f00-8000-00000000abcd',
  service: 'Check-up',
  start_time: new Date('2031-07-07T08:00:00Z'),
  end_time: new Date('2031-07-07T08:30:00Z'),
};

describe('appointmentCalendarEvent', () => {
  it('derives the UID from the appointment id', () => {
    expect(appointmentEventUid(apt.id)).toBe(`${apt.id}@agent-runtime`);
    expect(appointmentCalendarEvent(apt, 'UTC').uid).toBe(`${apt.id}@agent-runtime`);
  });

  it('titles the event with the service and a short reference, and shows the local time in the description', () => {
    const event = appointmentCalendarEvent(apt, 'Europe/Berlin');
    expect(event.summary).toBe('Check-up · ref 3F0C1A2B');
    expect(event.description).toContain('Booking reference 3F0C1A2B');
    expect(event.description).toContain('10:00–10:30 (Europe/Berlin)'); // CEST, UTC+2
    expect(event.start).toEqual(apt.start_time);
    expect(event.timezone).toBe('Europe/Berlin');
  });

  it('without a service the title is neutral; personal data typed into the service is redacted', () => {
    expect(appointmentCalendarEvent({ ...apt, service: null }, 'UTC').summary).toBe('Appointment · ref 3F0C1A2B');
    const event = appointmentCalendarEvent({ ...apt, service: 'Call ada@example.com on +44 20 7946 0958' }, 'UTC');
    expect(event.summary).not.toContain('ada@example.com');
    expect(event.summary).not.toContain('7946');
    expect(event.summary).toMatch(/\[EMAIL:[0-9a-f]{6}\]/);
  });
});
