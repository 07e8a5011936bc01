import { AppException } from '../../common/errors/app.exception.js';
export var BookingErrorCode;
(function (BookingErrorCode) {
    BookingErrorCode["SLOT_TAKEN"] = "SLOT_TAKEN";
    BookingErrorCode["HOLD_EXPIRED"] = "HOLD_EXPIRED";
    BookingErrorCode["HOLD_MISMATCH"] = "HOLD_MISMATCH";
    BookingErrorCode["INVALID_SLOT"] = "INVALID_SLOT";
    BookingErrorCode["INVALID_STATE"] = "INVALID_STATE";
    BookingErrorCode["TENANT_NOT_FOUND"] = "TENANT_NOT_FOUND";
    BookingErrorCode["RESOURCE_NOT_FOUND"] = "RESOURCE_NOT_FOUND";
    BookingErrorCode["HOLD_NOT_FOUND"] = "HOLD_NOT_FOUND";
    BookingErrorCode["APPOINTMENT_NOT_FOUND"] = "APPOINTMENT_NOT_FOUND";
    BookingErrorCode["SLUG_TAKEN"] = "SLUG_TAKEN";
    BookingErrorCode["CONTENTION"] = "CONTENTION";
})(BookingErrorCode || (BookingErrorCode = {}));
const STATUS = {
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
    constructor(code, message, field) {
        super(code, STATUS[code], message, field);
    }
}
