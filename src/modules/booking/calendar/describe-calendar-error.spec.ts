import { describe, expect, it } from 'vitest';
import { CalendarWriteError } from './calendar-write.error.js';
import { describeCalendarError } from './describe-calendar-error.js';

describe('describeCalendarError', () => {
  it('names the HTTP status of a refused write', () => {
    expect(describeCalendarError(new CalendarWriteError('PUT', 507, 'Insufficient Storage'))).toBe('calendar server: PUT answered 507 Insufficient Storage');
  });

  it('names the socket error of an unreachable server, not the URL', () => {
    const err = new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED 10.0.0.5:5232'), { code: 'ECONNREFUSED' }) });
    expect(describeCalendarError(err)).toBe('calendar server unreachable: ECONNREFUSED');
    const multi = new TypeError('fetch failed', { cause: new AggregateError([Object.assign(new Error('x'), { code: 'EHOSTUNREACH' })]) });
    expect(describeCalendarError(multi)).toBe('calendar server unreachable: EHOSTUNREACH');
  });

  it('reports a timeout with its limit', () => {
    expect(describeCalendarError(new DOMException('The operation was aborted due to timeout', 'TimeoutError'), 5000)).toBe('calendar server: no answer within 5000 ms');
  });

  it('drops URLs (credentials) and personal data, and stays short', () => {
    const out = describeCalendarError(new Error(`bad answer from https://agent:s3cret@dav.example.com/cal/ for ada@example.com ${'x'.repeat(500)}`));
    expect(out).not.toContain('s3cret');
    expect(out).not.toContain('dav.example.com');
    expect(out).not.toContain('ada@example.com');
    expect(out.length).toBeLessThanOrEqual(200);
    expect(out.startsWith('Error: bad answer from [URL] for [EMAIL:')).toBe(true);
  });
});
