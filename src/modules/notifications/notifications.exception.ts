import { AppException } from '../../common/errors/app.exception.js';

export enum NotificationsErrorCode {
  /** The notification to enqueue is malformed (unknown channel or template, bad recipient, too long). */
  INVALID_NOTIFICATION = 'INVALID_NOTIFICATION',
  /** Template data the renderer cannot use (unknown time zone, invalid time). */
  INVALID_TEMPLATE_DATA = 'INVALID_TEMPLATE_DATA',
  WEBHOOK_NOT_FOUND = 'WEBHOOK_NOT_FOUND',
  /** Not an http(s) URL, or a localhost/private target while WEBHOOK_ALLOW_PRIVATE is off. */
  WEBHOOK_URL_REFUSED = 'WEBHOOK_URL_REFUSED',
  TENANT_NOT_FOUND = 'TENANT_NOT_FOUND',
}

const STATUS: Record<NotificationsErrorCode, number> = {
  INVALID_NOTIFICATION: 400,
  INVALID_TEMPLATE_DATA: 400,
  WEBHOOK_NOT_FOUND: 404,
  WEBHOOK_URL_REFUSED: 400,
  TENANT_NOT_FOUND: 404,
};

export class NotificationsException extends AppException {
  constructor(code: NotificationsErrorCode, message: string, field?: string) {
    super(code, STATUS[code], message, field);
  }
}
