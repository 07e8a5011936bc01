import { AppException } from '../../common/errors/app.exception.js';

export enum BookingErrorCode {
  SLOT_TAKEN = 'SLOT_TAKEN',
  HOLD_EXPIRED = 'HOLD_EXPIRED',
  HOLD_MISMATCH = 'HOLD_MISMATCH',
  INVALID_SLOT = 'INVALID_SLOT',
  INVALID_STATE = 'INVALID_STATE',
  TENANT_NOT_FOUND = 'TENANT_NOT_FOUND',
  RESOURCE_NOT_FOUND = 'RESOURCE_NOT_FOUND',
  HOLD_NOT_FOUND = 'HOLD_NOT_FOUND',
  APPOINTMENT_NOT_FOUND = 'APPOINTMENT_NOT_FOUND',
  SLUG_TAKEN = 'SLUG_TAKEN',
  CONTENTION = 'CONTENTION',
}

const STATUS: Record<BookingErrorCode, number> = {
  SLOT_TAKEN: 409,
  HOLD_EXPIRED: 410,
  HOLD_MISMATCH: 409,
  INVALID_SLOT: 400,
  INVALID_STATE: 409,
  TENANT_NOT_FOUND: 404,
  RESOURCE_NOT_FOUND: 404,
  HOLD_NOT_FOUND: 404,
  APPOINTMENT_NOT_FOUND: 404,
  SLUG_TAKEN: 409,
  CONTENTION: 409,
};

export class BookingException extends AppException {
  constructor(code: BookingErrorCode, message: string, field?: string) {
    super(code, STATUS[code], message, field);
  }
}
