import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal } from '../../common/auth/auth.decorators.js';
import type { Principal } from '../../common/auth/principal.js';
import { scopeTenant } from '../../common/auth/tenant-scope.js';
import { ApiErrors, ApiProtected } from '../../common/openapi/api-errors.decorator.js';
import type { ChainScope } from './audit.types.js';
import { AuditVerifier } from './chain/audit-verifier.js';
import { AuditPageView, VerifyResultView } from './dto/audit-views.js';
import { ListAuditQuery } from './dto/list-audit.query.js';
import { VerifyAuditQuery } from './dto/verify-audit.query.js';
import { AuditLogService } from './log/audit-log.service.js';

/** A tenant key is held to its own tenant (another answers 404); the admin may omit the tenant. */
function requestedTenant(principal: Principal, tenantId: string | undefined): string | undefined {
  return principal.kind === 'tenant' ? scopeTenant(principal, tenantId) : tenantId;
}

@ApiTags('audit')
@ApiProtected()
@Controller('api/audit')
export class AuditController {
  constructor(
    private readonly log: AuditLogService,
    private readonly verifier: AuditVerifier,
  ) {}

  @Get()
  @ApiOperation({ summary: 'The audit trail, newest first (keyset pagination)' })
  @ApiOkResponse({ type: AuditPageView })
  @ApiErrors({ 400: 'invalid filter or cursor (names the field)', 404: "a tenant key naming another tenant's id" })
  list(@Query() q: ListAuditQuery, @CurrentPrincipal() principal: Principal): Promise<AuditPageView> {
    return this.log.list({
      tenantId: requestedTenant(principal, q.tenant_id),
      eventType: q.event_type,
      entityId: q.entity_id,
      from: q.from,
      to: q.to,
      limit: q.limit,
      cursor: q.cursor,
    });
  }

  @Get('verify')
  @ApiOperation({ summary: 'Seal pending rows, then recompute the hash chain(s) and report the first broken row' })
  @ApiOkResponse({ type: VerifyResultView })
  @ApiErrors({ 400: 'VALIDATION_FAILED: tenant_id is not a uuid', 404: "a tenant key naming another tenant's id" })
  verify(@Query() q: VerifyAuditQuery, @CurrentPrincipal() principal: Principal): Promise<VerifyResultView> {
    const tenantId = requestedTenant(principal, q.tenant_id);
    const scope: ChainScope = tenantId ? { kind: 'tenant', tenantId } : { kind: 'all' };
    return this.verifier.verify(scope);
  }
}
