import { BookingErrorCode, BookingException } from '../booking.exception.js';
export const WEEKDAY_KEYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
export const DEFAULT_BUSINESS_HOURS = {
    sun: [],
    mon: [['09:00', '17:00']],
    tue: [['09:00', '17:00']],
    wed: [['09:00', '17:00']],
    thu: [['09:00', '17:00']],
    fri: [['09:00', '17:00']],
    sat: [],
};
const HHMM = /^([01]\d|2[0-3]):[0-5]\d$|^24:00$/;
const toMin = (s) => Number(s.slice(0, 2)) * 60 + Number(s.slice(3, 5));
/** Validates business hours (unknown weekday keys, bad times, overlaps) and fills missing days as closed. */
export function parseBusinessHours(raw, slotMinutes) {
    const bad = (field, msg) => new BookingException(BookingErrorCode.INVALID_SLOT, `${field}: ${msg}`, field);
    if (raw === undefined)
        return DEFAULT_BUSINESS_HOURS;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
        throw bad('business_hours', 'must be an object keyed by weekday (mon … sun)');
    const out = {};
    for (const key of Object.keys(raw)) {
        if (!WEEKDAY_KEYS.includes(key))
            throw bad(`business_hours.${key}`, 'unknown weekday (use sun, mon, tue, wed, thu, fri, sat)');
    }
    for (const day of WEEKDAY_KEYS) {
        const field = `business_hours.${day}`;
        const v = raw[day] ?? [];
        if (!Array.isArray(v) || v.length > 12)
            throw bad(field, 'must be a list of at most 12 ["HH:MM","HH:MM"] intervals');
        const intervals = [];
        for (const iv of v) {
            if (!Array.isArray(iv) || iv.length !== 2 || typeof iv[0] !== 'string' || typeof iv[1] !== 'string' || !HHMM.test(iv[0]) || !HHMM.test(iv[1])) {
                throw bad(field, 'each interval must be ["HH:MM","HH:MM"]');
            }
            if (toMin(iv[1]) - toMin(iv[0]) < slotMinutes)
                throw bad(field, `interval ${iv[0]}-${iv[1]} is shorter than one slot`);
            intervals.push([iv[0], iv[1]]);
        }
        intervals.sort((a, b) => toMin(a[0]) - toMin(b[0]));
        for (let i = 1; i < intervals.length; i++) {
            if (toMin(intervals[i][0]) < toMin(intervals[i - 1][1]))
                throw bad(field, 'intervals overlap');
        }
        out[day] = intervals;
    }
    return out;
}
