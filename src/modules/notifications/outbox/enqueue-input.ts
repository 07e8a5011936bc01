import { NotificationsErrorCode, NotificationsException } from '../notifications.exception.js';
import { NOTIFICATION_CHANNELS, NOTIFICATION_TEMPLATES, type EnqueueNotificationInput } from '../notification.types.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const EMAIL = /^[^\s@<>(),;:"[\]\\]+@[^\s@<>(),;:"[\]\\]+\.[^\s@<>(),;:"[\]\\]+$/;
const PHONE = /^\+?[0-9][0-9 ().-]{5,24}$/;
const LINE_BREAK = /[\r\n\u2028\u2029]/;
const MAX_BODY = 50_000;

function invalid(field: string, reason: string): never {
  throw new NotificationsException(NotificationsErrorCode.INVALID_NOTIFICATION, `${field}: ${reason}`, field);
}

/**
 * Checks a notification before it is written: known channel and template, ids, a recipient the
 * channel can use (an address for email, a number for SMS), one-line recipient and subject.
 * A caller's mistake must fail its job, not reach the dispatcher.
 */
export function validateEnqueueInput(n: EnqueueNotificationInput): void {
  if (!UUID.test(n.tenantId ?? '')) invalid('tenantId', 'must be a uuid');
  if (!UUID.test(n.jobId ?? '')) invalid('jobId', 'must be a uuid');
  if (n.appointmentId !== null && !UUID.test(n.appointmentId ?? '')) invalid('appointmentId', 'must be a uuid or null');
  if (!(NOTIFICATION_CHANNELS as readonly string[]).includes(n.channel)) invalid('channel', `must be one of ${NOTIFICATION_CHANNELS.join(', ')}`);
  if (!(NOTIFICATION_TEMPLATES as readonly string[]).includes(n.template)) invalid('template', `must be one of ${NOTIFICATION_TEMPLATES.join(', ')}`);
  if (typeof n.recipient !== 'string' || n.recipient.trim().length === 0 || n.recipient.length > 320 || LINE_BREAK.test(n.recipient)) {
    invalid('recipient', 'must be one line of 1 to 320 characters');
  }
  if (n.channel === 'email' && !EMAIL.test(n.recipient)) invalid('recipient', 'must be an email address for the email channel');
  if (n.channel === 'sms' && !PHONE.test(n.recipient)) invalid('recipient', 'must be a phone number for the sms channel');
  if (n.subject !== null && (typeof n.subject !== 'string' || n.subject.length > 500 || LINE_BREAK.test(n.subject))) {
    invalid('subject', 'must be one line of at most 500 characters, or null');
  }
  if (n.channel === 'email' && !n.subject) invalid('subject', 'is required for the email channel');
  if (typeof n.body !== 'string' || n.body.length === 0 || n.body.length > MAX_BODY) invalid('body', `must be 1 to ${MAX_BODY} characters`);
}
