import { redactText } from '../../../common/redaction/index.js';
import { CalendarWriteError } from './calendar-write.error.js';

const MAX_LENGTH = 200;

function causeCode(err: Error): string | undefined {
  const cause = (err as { cause?: unknown }).cause;
  if (cause && typeof cause === 'object') {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    const errors = (cause as { errors?: unknown }).errors; // AggregateError (IPv4 + IPv6 attempts)
    if (Array.isArray(errors)) {
      const first = errors.find((e) => e && typeof (e as { code?: unknown }).code === 'string') as { code: string } | undefined;
      if (first) return first.code;
    }
  }
  return undefined;
}

/**
 * A short, redacted account of why a calendar write failed, fit for a stored event and the audit
 * log: no URLs (they may carry credentials), no personal data, at most 200 characters.
 */
export function describeCalendarError(err: unknown, timeoutMs?: number): string {
  let message: string;
  if (err instanceof CalendarWriteError) {
    message = `calendar server: ${err.message}`;
  } else if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) {
    message = `calendar server: no answer within ${timeoutMs ?? '?'} ms`;
  } else if (err instanceof Error) {
    const code = causeCode(err);
    message = code ? `calendar server unreachable: ${code}` : `${err.name}: ${err.message}`;
  } else {
    message = `calendar write failed: ${String(err)}`;
  }
  const withoutUrls = message.replace(/\b[a-z][a-z0-9+.-]*:\/\/\S+/gi, '[URL]');
  const redacted = redactText(withoutUrls.replace(/\s+/g, ' ').trim());
  return redacted.length > MAX_LENGTH ? `${redacted.slice(0, MAX_LENGTH - 1)}…` : redacted;
}
