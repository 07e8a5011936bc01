import { Body, Controller, Get, Put, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal } from '../../common/auth/auth.decorators.js';
import type { Principal } from '../../common/auth/principal.js';
import { scopeTenant } from '../../common/auth/tenant-scope.js';
import { CommonErrorCode, CommonException } from '../../common/errors/app.exception.js';
import { Caller, type RequestContext } from '../../common/http/request-context.js';
import { ApiErrors, ApiProtected } from '../../common/openapi/api-errors.decorator.js';
import { AutonomyStatusService } from './autonomy-status.service.js';
import { AutonomyStatusView } from './dto/autonomy-status.view.js';
import { AutonomyQuery, SetAutonomyDto } from './dto/autonomy.dto.js';
import { AutonomySettingsService } from './settings/autonomy-settings.service.js';

@ApiTags('autonomy')
@ApiProtected()
@Controller('api/autonomy')
export class AutonomyController {
  constructor(
    private readonly settings: AutonomySettingsService,
    private readonly status: AutonomyStatusService,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Master switch, effective modes, runner state per instance, job counts and the next scheduled run' })
  @ApiOkResponse({ type: AutonomyStatusView })
  @ApiErrors({ 400: 'VALIDATION_FAILED: tenant_id is not a uuid', 404: "a tenant key naming another tenant's id" })
  get(@Query() q: AutonomyQuery, @CurrentPrincipal() p: Principal): Promise<AutonomyStatusView> {
    const tenantId = p.kind === 'tenant' ? scopeTenant(p, q.tenant_id) : q.tenant_id;
    return this.status.status({ admin: p.kind === 'admin', tenantId });
  }

  @Put()
  @ApiOperation({ summary: 'Set the runtime toggle (global or per tenant); persisted, audited, effective within 1 s on every instance' })
  @ApiOkResponse({ type: AutonomyStatusView, description: 'the status after the change' })
  @ApiErrors({
    400: 'VALIDATION_FAILED: neither mode nor enabled, enabled contradicting mode, or a bad value',
    404: "TENANT_NOT_FOUND, or a tenant key naming another tenant's id",
    409: 'MASTER_SWITCH_OFF: the env master switch AUTONOMY_ENABLED is off, so the runtime cannot be turned on (off is always accepted)',
  })
  async set(@Body() dto: SetAutonomyDto, @CurrentPrincipal() p: Principal, @Caller() caller: RequestContext): Promise<AutonomyStatusView> {
    const mode = dto.mode ?? (dto.enabled === undefined ? undefined : dto.enabled ? 'on' : 'off');
    if (!mode) throw new CommonException(CommonErrorCode.VALIDATION_FAILED, 'mode: give mode (on|off|shadow) or enabled (true|false)', 'mode');
    if (dto.mode && dto.enabled !== undefined && (dto.enabled ? 'on' : 'off') !== dto.mode && !(dto.enabled && dto.mode === 'shadow')) {
      throw new CommonException(CommonErrorCode.VALIDATION_FAILED, 'enabled: contradicts mode', 'enabled');
    }
    let tenantId: string | null = dto.tenant_id ?? null;
    if (p.kind === 'tenant') tenantId = scopeTenant(p, dto.tenant_id);
    await this.settings.set(mode, tenantId, caller);
    return this.status.status({ admin: p.kind === 'admin', tenantId: tenantId ?? undefined });
  }
}
