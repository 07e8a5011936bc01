import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { renderICalendar } from './icalendar.js';

const base = {
  uid: '3f0c1a2b-0000-4000-8000-000000000001@agent-runtime',
  start: new Date('2031-07-07T08:00:00Z'),
  end: new Date('2031-07-07T08:30:00Z'),
  summary: 'Check-up',
  description: 'Booking reference 3F0C1A2B',
  timezone: 'Europe/Berlin',
};
const stamp = new Date('2031-01-02T03:04:05.678Z');

function unfold(ics: string): string[] {
  return ics.replace(/\r\n[ \t]/g, '').split('\r\n');
}

describe('renderICalendar', () => {
  it('writes one VEVENT with CRLF line ends and UTC DATE-TIMEs', () => {
    const ics = renderICalendar(base, stamp);
    expect(ics.endsWith('\r\n')).toBe(true);
    expect(ics.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    const lines = unfold(ics);
    expect(lines).toContain('DTSTART:20310707T080000Z');
    expect(lines).toContain('DTEND:20310707T083000Z');
    expect(lines).toContain('DTSTAMP:20310102T030405Z');
    expect(lines).toContain(`UID:${base.uid}`);
    expect(lines).toContain('X-WR-TIMEZONE:Europe/Berlin');
    expect(lines.filter((l) => l === 'BEGIN:VEVENT')).toHaveLength(1);
    expect(lines[0]).toBe('BEGIN:VCALENDAR');
  });

  it('escapes TEXT values, so a summary cannot inject properties', () => {
    const lines = unfold(renderICalendar({ ...base, summary: 'a;b,c\\d\nEND:VEVENT\r\nX-EVIL:1' }, stamp));
    expect(lines).toContain('SUMMARY:a\\;b\\,c\\\\d\\nEND:VEVENT\\nX-EVIL:1');
    expect(lines.some((l) => l.startsWith('X-EVIL'))).toBe(false);
    expect(lines.filter((l) => l === 'END:VEVENT')).toHaveLength(1);
  });

  it('folds every line to at most 75 octets without splitting a character, and unfolds to the original', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 400 }), (summary) => {
        const ics = renderICalendar({ ...base, summary }, stamp);
        for (const line of ics.split('\r\n')) {
          expect(Buffer.byteLength(line, 'utf8')).toBeLessThanOrEqual(75);
          // no fold inside a character: a split surrogate pair would not survive UTF-8 encoding
          // (the summary itself may hold U+FFFD, so its presence proves nothing)
          expect(Buffer.from(line, 'utf8').toString('utf8')).toBe(line);
        }
        const folded = unfold(ics).find((l) => l.startsWith('SUMMARY:'))!;
        const expected = summary
          .replace(/\r\n?/g, '\n')
          .replace(/[\u0000-\u0009\u000b-\u001f\u007f]/g, '')
          .replace(/\\/g, '\\\\').replace(/;/g, '\\;').replace(/,/g, '\\,').replace(/\n/g, '\\n');
        expect(folded).toBe(`SUMMARY:${expected}`);
      }),
    );
  });
});
