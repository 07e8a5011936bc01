import { CommonErrorCode, CommonException } from '../errors/app.exception.js';
import type { Principal } from './principal.js';

/**
 * The tenant a request may act on. A tenant key acts on its own tenant only: naming another
 * tenant answers 404 (as if it did not exist). The admin must name the tenant.
 */
export function scopeTenant(principal: Principal, requested: string | undefined, field = 'tenant_id'): string {
  if (principal.kind === 'tenant') {
    if (requested !== undefined && requested !== principal.tenantId) {
      throw new CommonException(CommonErrorCode.NOT_FOUND, 'tenant not found', field);
    }
    return principal.tenantId;
  }
  if (!requested) throw new CommonException(CommonErrorCode.VALIDATION_FAILED, `${field} is required`, field);
  return requested;
}

/** For reads by id: the tenant filter to apply (undefined = admin sees every tenant). */
export function tenantFilter(principal: Principal): string | undefined {
  return principal.kind === 'tenant' ? principal.tenantId : undefined;
}
