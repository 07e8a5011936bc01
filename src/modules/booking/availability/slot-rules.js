import { localDate, minutesOfDay, zonedToUtc } from '../../../common/time/zoned-time.js';
import { BookingErrorCode, BookingException } from '../booking.exception.js';
import { WEEKDAY_KEYS } from '../tenants/business-hours.js';
const MAX_SLOTS_PER_BOOKING = 32;
/** Parses the request's start/end and checks them against the tenant's grid and business hours. */
export function validateSlot(tenant, startIso, endIso, now = new Date()) {
    const start = new Date(startIso);
    const end = new Date(endIso);
    const invalid = (field, msg) => new BookingException(BookingErrorCode.INVALID_SLOT, `${field}: ${msg}`, field);
    if (Number.isNaN(start.getTime()))
        throw invalid('start', 'is not a valid ISO-8601 time');
    if (Number.isNaN(end.getTime()))
        throw invalid('end', 'is not a valid ISO-8601 time');
    if (end.getTime() <= start.getTime())
        throw invalid('end', 'must be after start');
    if (start.getTime() <= now.getTime())
        throw invalid('start', 'is in the past');
    const slotMs = tenant.slot_minutes * 60_000;
    const length = end.getTime() - start.getTime();
    if (length % slotMs !== 0)
        throw invalid('end', `length must be a multiple of ${tenant.slot_minutes} minutes`);
    if (length / slotMs > MAX_SLOTS_PER_BOOKING)
        throw invalid('end', `a booking may span at most ${MAX_SLOTS_PER_BOOKING} slots`);
    const date = localDate(start, tenant.timezone);
    const interval = openIntervals(tenant.business_hours, tenant.timezone, date).find((iv) => start.getTime() >= iv.open.getTime() && end.getTime() <= iv.close.getTime());
    if (!interval)
        throw invalid('start', `is outside business hours (${tenant.timezone})`);
    if ((start.getTime() - interval.open.getTime()) % slotMs !== 0) {
        throw invalid('start', `is not on the ${tenant.slot_minutes}-minute slot grid`);
    }
    return { start, end };
}
/** The business-hours intervals of a local date, as instants. */
export function openIntervals(hours, timeZone, date) {
    const [y, m, d] = date.split('-').map(Number);
    const weekday = new Date(Date.UTC(y, m - 1, d)).getUTCDay();
    const day = hours[WEEKDAY_KEYS[weekday]] ?? [];
    return day.map(([open, close]) => ({
        open: zonedToUtc(date, open, timeZone),
        close: minutesOfDay(close) >= 24 * 60 ? zonedToUtc(nextDate(date), '00:00', timeZone) : zonedToUtc(date, close, timeZone),
    }));
}
function nextDate(date) {
    const [y, m, d] = date.split('-').map(Number);
    return new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10);
}
/** Every slot of a local date. */
export function daySlots(tenant, date) {
    const slotMs = tenant.slot_minutes * 60_000;
    const slots = [];
    for (const iv of openIntervals(tenant.business_hours, tenant.timezone, date)) {
        for (let t = iv.open.getTime(); t + slotMs <= iv.close.getTime(); t += slotMs) {
            slots.push({ start: new Date(t), end: new Date(t + slotMs) });
        }
    }
    return slots;
}
